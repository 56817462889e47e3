import { describe, expect, it } from 'vitest';
import { evaluate, mayRemoveFactor, type Holdings } from './evaluate.js';
import { presets, type Policy } from './presets.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const DEADLINE = '2025-03-07T00:00:00.000Z';

function holding(factors: Holdings['factors'] = {}, more: Partial<Holdings> = {}): Holdings {
  return {
    emailVerified: true,
    factors: { password: 1, ...factors },
    recoveryCodeSaved: true,
    minimumSkippedAt: null,
    ...more,
  };
}

describe('the minimum (seed 001: passkey OR authenticator + phone OR password + phone)', () => {
  const p = presets['strong-mfa'];

  it('is met by any one alternative, and says what each alternative still lacks', () => {
    expect(evaluate(p, holding({ passkey: 1 }), NOW).compliant).toBe(true);
    expect(evaluate(p, holding({ totp: 1, phone: 1 }), NOW).compliant).toBe(true);
    expect(evaluate(p, holding({ phone: 1 }), NOW).compliant).toBe(true);
    const none = evaluate(p, holding({ totp: 1 }), NOW);
    expect(none.compliant).toBe(false);
    expect(none.missing).toEqual([['passkey'], ['phone'], ['phone']]);
  });

  it('before the enforcement date: a reminder with "Skip for Now", at every sign-in', () => {
    const before = Date.parse(DEADLINE) - 1;
    const e = evaluate(p, holding(), before);
    expect(e.grace).toBe('remind');
    expect(e.deadline).toBe(Date.parse(DEADLINE));
    expect(e.next).toEqual({ action: 'meet_minimum', skippable: true });
    // Skipping does not silence a reminder: it comes back next time.
    expect(evaluate(p, holding({}, { minimumSkippedAt: before - 1000 }), before).next).toEqual({
      action: 'meet_minimum',
      skippable: true,
    });
  });

  it('from the enforcement date (the boundary included): blocked until the minimum is met', () => {
    const at = Date.parse(DEADLINE);
    expect(evaluate(p, holding(), at).next).toEqual({ action: 'meet_minimum', skippable: false });
    expect(evaluate(p, holding(), at).grace).toBe('block');
    expect(evaluate(p, holding({}, { minimumSkippedAt: at - 1 }), at + 1).next?.skippable).toBe(
      false,
    );
    expect(evaluate(p, holding({ passkey: 1 }), at).actions).toEqual([]);
  });

  it('a minimum with no date applies its "after" behaviour at once', () => {
    const noDate: Policy = { ...p, enforcement: { date: null, before: 'remind', after: 'block' } };
    expect(evaluate(noDate, holding(), 0).grace).toBe('block');
  });

  it('no minimum: nothing to meet', () => {
    const none: Policy = { ...p, minimum: [] };
    const e = evaluate(none, holding({}, { recoveryCodeSaved: true }), NOW);
    expect(e.compliant).toBe(true);
    expect(e.actions).toEqual([]);
  });
});

describe('required actions, in order', () => {
  it('verify email → meet the minimum → save the recovery code (seed 001, new user)', () => {
    const e = evaluate(
      presets['strong-mfa'],
      holding({}, { emailVerified: false, recoveryCodeSaved: false }),
      NOW,
    );
    expect(e.actions.map((a) => a.action)).toEqual([
      'verify_email',
      'meet_minimum',
      'save_recovery_code',
    ]);
    expect(e.next).toEqual({ action: 'verify_email', skippable: false });
  });

  it('seed 000: the phone is offered once, and a skip is remembered', () => {
    const p = presets['email-first'];
    expect(evaluate(p, holding(), NOW).next).toEqual({ action: 'meet_minimum', skippable: true });
    expect(evaluate(p, holding({}, { minimumSkippedAt: NOW - 1 }), NOW).next).toBeNull();
    expect(evaluate(p, holding({ phone: 1 }), NOW).next).toBeNull();
  });

  it('seed 002: the phone is required, never skippable', () => {
    const p = presets['sms-required'];
    expect(evaluate(p, holding({}, { minimumSkippedAt: NOW - 1 }), NOW).next).toEqual({
      action: 'meet_minimum',
      skippable: false,
    });
  });

  it('a required recovery code is asked for until it is saved; not where the factor is not allowed', () => {
    const p = presets['strong-mfa'];
    const unsaved = holding({ passkey: 1 }, { recoveryCodeSaved: false });
    expect(evaluate(p, unsaved, NOW).next).toEqual({
      action: 'save_recovery_code',
      skippable: false,
    });
    const noCodes: Policy = { ...p, factors: ['password', 'passkey', 'phone', 'totp'] };
    expect(evaluate(noCodes, unsaved, NOW).next).toBeNull();
    expect(
      evaluate(presets['email-first'], holding({ phone: 1 }, { recoveryCodeSaved: false }), NOW)
        .next,
    ).toBeNull();
  });

  it('"none" never asks', () => {
    const p: Policy = {
      ...presets['strong-mfa'],
      enforcement: { date: null, before: 'none', after: 'none' },
    };
    expect(evaluate(p, holding({}, { recoveryCodeSaved: true }), NOW).actions).toEqual([]);
  });
});

describe('which factors sign in and vouch for changes', () => {
  it('offers the enrolled, allowed factors strongest first; email where the policy allows it', () => {
    const all = holding({ passkey: 2, totp: 1, phone: 1, recovery_code: 1 });
    const strong = evaluate(presets['strong-mfa'], all, NOW);
    expect(strong.signIn).toEqual(['passkey', 'totp', 'phone', 'recovery_code']);
    expect(strong.stepUp).toEqual(['passkey', 'totp', 'phone']);
    const first = evaluate(presets['email-first'], all, NOW);
    expect(first.signIn.at(-1)).toBe('email');
    expect(first.stepUp.at(-1)).toBe('email');
    // An unverified address vouches for nothing.
    const unverified = evaluate(presets['email-first'], holding({}, { emailVerified: false }), NOW);
    expect(unverified.stepUp).toEqual([]);
    // A factor the policy does not allow is not offered even when held.
    const noTotp: Policy = { ...presets['strong-mfa'], factors: ['password', 'phone'] };
    expect(evaluate(noTotp, all, NOW).signIn).toEqual(['phone']);
  });

  it('asks for a second factor: always, when enrolled (the recovery code alone is not enrolment), never', () => {
    expect(evaluate(presets['sms-required'], holding(), NOW).mfaRequired).toBe(true);
    expect(evaluate(presets['strong-mfa'], holding({ recovery_code: 1 }), NOW).mfaRequired).toBe(
      false,
    );
    expect(evaluate(presets['strong-mfa'], holding({ totp: 1 }), NOW).mfaRequired).toBe(true);
    expect(evaluate(presets['email-first'], holding({ totp: 1 }), NOW).mfaRequired).toBe(false);
  });
});

describe('removing a factor', () => {
  const p = presets['strong-mfa'];

  it('keeps the factor that keeps the user compliant once the minimum binds', () => {
    expect(mayRemoveFactor(p, holding({ phone: 1 }), 'phone', NOW)).toBe(false);
    expect(mayRemoveFactor(p, holding({ phone: 1, passkey: 1 }), 'phone', NOW)).toBe(true);
    expect(mayRemoveFactor(p, holding({ passkey: 1 }), 'passkey', NOW)).toBe(false);
    expect(mayRemoveFactor(p, holding({ passkey: 2 }), 'passkey', NOW)).toBe(true);
    // The app is not what keeps a password + phone user compliant.
    expect(mayRemoveFactor(p, holding({ phone: 1, totp: 1 }), 'totp', NOW)).toBe(true);
  });

  it('before the enforcement date the minimum does not hold factors back', () => {
    expect(mayRemoveFactor(p, holding({ phone: 1 }), 'phone', Date.parse(DEADLINE) - 1)).toBe(true);
  });

  it('keeps the last second factor where every sign-in asks for one; nothing to remove is refused', () => {
    const always: Policy = { ...presets['email-first'], mfaAtSignIn: 'always' };
    expect(mayRemoveFactor(always, holding({ totp: 1 }), 'totp', NOW)).toBe(false);
    expect(mayRemoveFactor(always, holding({ totp: 1, phone: 1 }), 'totp', NOW)).toBe(true);
    expect(mayRemoveFactor(presets['email-first'], holding(), 'totp', NOW)).toBe(false);
  });

  it('counts passkeys one by one: the last passkey is the last factor, one of two is not', () => {
    const always: Policy = { ...presets['email-first'], mfaAtSignIn: 'always', minimum: [] };
    expect(mayRemoveFactor(always, holding({ passkey: 1 }), 'passkey', NOW)).toBe(false);
    expect(mayRemoveFactor(always, holding({ passkey: 2 }), 'passkey', NOW)).toBe(true);
    expect(mayRemoveFactor(always, holding({ totp: 1, passkey: 1 }), 'totp', NOW)).toBe(true);
    expect(mayRemoveFactor(always, holding({ totp: 1, passkey: 1 }), 'passkey', NOW)).toBe(true);
  });

  it('sms-required keeps the phone whatever else the user holds; the others may go', () => {
    const sms = presets['sms-required'];
    expect(mayRemoveFactor(sms, holding({ phone: 1, totp: 1 }), 'phone', NOW)).toBe(false);
    expect(mayRemoveFactor(sms, holding({ phone: 1, passkey: 2 }), 'phone', NOW)).toBe(false);
    expect(mayRemoveFactor(sms, holding({ phone: 1, totp: 1 }), 'totp', NOW)).toBe(true);
    expect(mayRemoveFactor(sms, holding({ phone: 1, passkey: 1 }), 'passkey', NOW)).toBe(true);
  });

  it('email-first (the minimum only offered) lets any factor go, and nothing absent', () => {
    const ef = presets['email-first'];
    expect(mayRemoveFactor(ef, holding({ phone: 1 }), 'phone', NOW)).toBe(true);
    expect(mayRemoveFactor(ef, holding({ totp: 1 }), 'totp', NOW)).toBe(true);
    expect(mayRemoveFactor(ef, holding({ passkey: 1 }), 'passkey', NOW)).toBe(true);
    expect(mayRemoveFactor(ef, holding({ phone: 1 }), 'totp', NOW)).toBe(false);
    expect(mayRemoveFactor(ef, holding({ phone: 1, totp: 1 }), 'passkey', NOW)).toBe(false);
  });
});

describe("an administrator's temporary MFA exemption (seed 002: 'they can disable MFA temporarily')", () => {
  const p = presets['sms-required'];
  const HOUR = 3_600_000;

  it('asks for nothing but the password while it lasts, and ends by itself at its time', () => {
    const exempt = holding({ phone: 1 }, { mfaExemptUntil: NOW + 24 * HOUR });
    const during = evaluate(p, exempt, NOW);
    expect(during.mfaRequired).toBe(false);
    expect(during.exemptUntil).toBe(NOW + 24 * HOUR);
    expect(during.actions).toEqual([]);
    const after = evaluate(p, exempt, NOW + 24 * HOUR);
    expect(after.mfaRequired).toBe(true);
    expect(after.exemptUntil).toBeNull();
  });

  it('waives the minimum and the recovery code owed, never the email to verify', () => {
    const strong = presets['strong-mfa'];
    const h = holding(
      {},
      { emailVerified: false, recoveryCodeSaved: false, mfaExemptUntil: NOW + HOUR },
    );
    expect(evaluate(strong, h, NOW).actions.map((a) => a.action)).toEqual(['verify_email']);
    const lapsed = evaluate(strong, { ...h, mfaExemptUntil: NOW - 1 }, NOW);
    expect(lapsed.actions.map((a) => a.action)).toEqual([
      'verify_email',
      'meet_minimum',
      'save_recovery_code',
    ]);
  });
});
