import { describe, expect, it } from 'vitest';
import { presets, type Policy } from './presets.js';
import { combineEnforcement, combineMinimums, tighten, type PolicyOverride } from './tighten.js';

const base = presets['email-first'];

describe('an organisation tightens, never loosens (the stricter value wins, field by field)', () => {
  it('takes each stricter value an organisation writes', () => {
    const org: PolicyOverride = {
      mfaAtSignIn: 'always',
      emailCodeFallback: false,
      signInAgainAfterPhoneEnrolment: true,
      emailStepUp: false,
      codeLength: 8,
      stepUpWindowMs: 60_000,
      recoveryCode: { required: true, digits: 24 },
      passwordReset: [],
      factors: ['password', 'passkey'],
      enforcement: { date: '2026-01-01T00:00:00.000Z', before: 'remind', after: 'block' },
      minimum: [['passkey']],
      codeValiditySeconds: { email: 120, phone: 30 },
      sessionLimits: { idleMinutes: 10, absoluteHours: 8 },
      mfaExemption: { allowed: false, maxHours: 12 },
      adminPhoneUpdate: false,
      adminFactorReset: ['phone'],
    };
    const t = tighten(base, org);
    expect(t).toEqual({
      ...org,
      name: 'email-first',
      preset: 'email-first',
      // Both minimums hold: the deployment's (password + phone) and the organisation's (passkey).
      minimum: [['password', 'phone', 'passkey']],
    });
  });

  it('ignores every looser value an organisation writes', () => {
    const strict = presets['sms-required'];
    const loose: PolicyOverride = {
      mfaAtSignIn: 'never',
      emailCodeFallback: true,
      signInAgainAfterPhoneEnrolment: false,
      emailStepUp: true,
      codeLength: 4,
      stepUpWindowMs: 24 * 3_600_000,
      recoveryCode: { required: false, digits: 8 },
      passwordReset: ['email', 'recovery_code'],
      factors: ['password', 'phone', 'totp', 'passkey', 'recovery_code'],
      enforcement: { date: '2099-01-01T00:00:00.000Z', before: 'none', after: 'none' },
      minimum: [],
      codeValiditySeconds: { email: null, phone: null },
      sessionLimits: { idleMinutes: null, absoluteHours: null },
      mfaExemption: { allowed: true, maxHours: 720 },
      adminPhoneUpdate: true,
      adminFactorReset: ['phone', 'totp', 'passkey', 'recovery_code'],
    };
    expect(tighten(strict, loose)).toEqual(strict);
    // An organisation may forbid the exemption a deployment allows, never allow one it forbids.
    expect(tighten(presets['strong-mfa'], loose).mfaExemption.allowed).toBe(false);
    // Longer limits than the deployment's policy: the deployment's stay.
    const limited = { ...strict, codeValiditySeconds: { email: 300, phone: 60 } };
    expect(
      tighten(limited, { codeValiditySeconds: { email: 600, phone: null } }).codeValiditySeconds,
    ).toEqual({ email: 300, phone: 60 });
  });

  it('for every field, a looser and a stricter override never end looser than the deployment', () => {
    const strong = presets['strong-mfa'];
    expect(tighten(strong, { stepUpWindowMs: 1 }).stepUpWindowMs).toBe(1);
    expect(tighten(strong, { passwordReset: ['email'] }).passwordReset).toEqual([]);
    expect(
      tighten(strong, { enforcement: { date: null, before: 'none', after: 'remind' } }),
    ).toMatchObject({
      enforcement: { date: '2025-03-07T00:00:00.000Z', before: 'remind', after: 'block' },
    });
    const empty: Policy = tighten(strong, {});
    expect(empty).toEqual(strong);
  });

  it('combines enforcement dates period by period', () => {
    const offerNow = { date: null, before: 'none', after: 'offer' } as const;
    const blockFrom2026 = {
      date: '2026-01-01T00:00:00.000Z',
      before: 'remind',
      after: 'block',
    } as const;
    // No date on one side: the other's date, each period the stricter.
    expect(combineEnforcement(offerNow, blockFrom2026)).toEqual(blockFrom2026);
    expect(combineEnforcement(blockFrom2026, offerNow)).toEqual(blockFrom2026);
    // Two dates: the earlier one, and never looser than either in any period.
    const remindFrom2025 = {
      date: '2025-01-01T00:00:00.000Z',
      before: 'none',
      after: 'remind',
    } as const;
    expect(combineEnforcement(remindFrom2025, blockFrom2026)).toEqual({
      date: '2026-01-01T00:00:00.000Z',
      before: 'remind',
      after: 'block',
    });
    const blockFrom2025 = { ...remindFrom2025, after: 'block' } as const;
    expect(combineEnforcement(blockFrom2025, blockFrom2026)).toEqual({
      date: '2025-01-01T00:00:00.000Z',
      before: 'remind',
      after: 'block',
    });
    const offerBefore2026 = { ...blockFrom2026, before: 'offer', after: 'remind' } as const;
    expect(combineEnforcement(blockFrom2025, offerBefore2026)).toEqual({
      date: '2025-01-01T00:00:00.000Z',
      before: 'offer',
      after: 'block',
    });
  });

  it('combines minimums so that meeting the result meets both', () => {
    expect(combineMinimums([['passkey'], ['totp', 'phone']], [['phone']])).toEqual([
      ['passkey', 'phone'],
      ['totp', 'phone'],
    ]);
    expect(combineMinimums([], [['phone']])).toEqual([['phone']]);
    expect(combineMinimums([['passkey']], [['passkey']])).toEqual([['passkey']]);
  });
});
