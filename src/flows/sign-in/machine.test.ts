import { describe, expect, it } from 'vitest';
import type { AccountFactors } from '../../factors/account-factors.js';
import { presets, type FactorKind } from '../../policy/presets.js';
import { nextStep, sessionAssurance, signInFlow } from './machine.js';
import type { SignInProgress } from './state-data.js';
import { secondFactorAlternatives } from './methods.js';
import { allowedMove } from '../../store/flow-store.js';
import { passkeyAmr } from '../../factors/passkey/factor.js';

const account = {
  email_verified_at: 1,
  phone_offer_dismissed_at: 1,
  password_hash: 'h',
  mfa_exempt_until: null,
};
/** After seed 001's enforcement date (7 March 2025). */
const NOW = Date.parse('2026-11-22T12:00:00Z');
const none: AccountFactors = {
  phone: undefined,
  totp: undefined,
  recoveryCode: undefined,
  passkeys: 0,
};
const withPasskey: AccountFactors = { ...none, passkeys: 1 };
const device = { at: 10, key: 'hwk' as const, userVerified: true };

describe('passkeys in the sign-in machine', () => {
  it('asks for the second factor after a password when the account has a passkey', () => {
    const data: SignInProgress = { passwordAt: 5 };
    expect(nextStep(account, withPasskey, presets['strong-mfa'], data, NOW)).toBe('second_factor');
    expect(nextStep(account, none, presets['strong-mfa'], data, NOW)).not.toBe('second_factor');
    expect(
      secondFactorAlternatives(
        { ...withPasskey, recoveryCode: { id: 'r', saved: true } },
        presets['strong-mfa'],
      ),
    ).toEqual(['passkey', 'recovery_code']);
  });

  it('never asks a password-less passkey sign-in for a second factor, under any policy', () => {
    const data: SignInProgress = { passkeySignIn: device };
    for (const policy of Object.values(presets)) {
      expect(
        nextStep(
          account,
          { ...withPasskey, totp: { id: 't', addedAt: 1, lastUsedAt: null } },
          policy,
          data,
          NOW,
        ),
      ).not.toBe('second_factor');
    }
    // The account's other steps still apply.
    expect(
      nextStep(
        { ...account, email_verified_at: null },
        withPasskey,
        presets['email-first'],
        data,
        NOW,
      ),
    ).toBe('verify_email');
  });

  it('gives AAL2 to a verified passkey alone, with hwk/swk + user', () => {
    expect(sessionAssurance({ passkeySignIn: device })).toEqual({
      aal: 'aal2',
      amr: [
        { method: 'hwk', at: 10 },
        { method: 'user', at: 10 },
      ],
    });
    expect(sessionAssurance({ passkeySignIn: { ...device, key: 'swk' } }).amr[0]?.method).toBe(
      'swk',
    );
  });

  it('never gives AAL2 to a passkey without user verification alone', () => {
    expect(sessionAssurance({ passkeySignIn: { ...device, userVerified: false } })).toEqual({
      aal: 'aal1',
      amr: [{ method: 'hwk', at: 10 }],
    });
  });

  it('counts a passkey after a password as the second factor, recording `user` only when verified', () => {
    const second = (userVerified: boolean): SignInProgress => ({
      passwordAt: 5,
      secondFactor: {
        method: 'passkey',
        at: 10,
        amr: passkeyAmr({ ...device, userVerified }),
      },
    });
    expect(sessionAssurance(second(true))).toEqual({
      aal: 'aal2',
      amr: [
        { method: 'pwd', at: 5 },
        { method: 'hwk', at: 10 },
        { method: 'user', at: 10 },
      ],
    });
    expect(sessionAssurance(second(false)).amr.map((m) => m.method)).toEqual(['pwd', 'hwk']);
    expect(sessionAssurance(second(false)).aal).toBe('aal2');
  });

  it('keeps the other factors as they were: an email code is never AAL2', () => {
    expect(sessionAssurance({ passwordAt: 5 })).toEqual({
      aal: 'aal1',
      amr: [{ method: 'pwd', at: 5 }],
    });
    expect(
      sessionAssurance({
        passwordAt: 5,
        secondFactor: { method: 'email', at: 6, amr: [{ method: 'email', at: 6 }] },
      }).aal,
    ).toBe('aal1');
    expect(
      sessionAssurance({
        passwordAt: 5,
        secondFactor: { method: 'totp', at: 6, amr: [{ method: 'otp', at: 6 }] },
      }),
    ).toEqual({
      aal: 'aal2',
      amr: [
        { method: 'pwd', at: 5 },
        { method: 'otp', at: 6 },
      ],
    });
  });
});

const phone: AccountFactors['phone'] = {
  id: 'p',
  account_id: 'a',
  e164: '+447700900123',
  country: 'GB',
  kind: 'mobile',
  verified_at: 1,
  created_at: 1,
  last_used_at: null,
};
const totp: AccountFactors['totp'] = { id: 't', addedAt: 1, lastUsedAt: null };
const savedCode: AccountFactors['recoveryCode'] = { id: 'r', saved: true };
const fresh = { ...account, phone_offer_dismissed_at: null };
const BEFORE = Date.parse('2025-03-06T23:59:59.999Z');
const AT = Date.parse('2025-03-07T00:00:00.000Z');
const pwd: SignInProgress = { passwordAt: 5 };

describe('meeting the minimum inside sign-in', () => {
  const strong = presets['strong-mfa'];

  it('seed 001: a user with only a password chooses among the three ways, before and after the date', () => {
    expect(nextStep(fresh, none, strong, pwd, BEFORE)).toBe('choose_mfa');
    expect(nextStep(fresh, none, strong, pwd, AT)).toBe('choose_mfa');
  });

  it('seed 001: "Skip for Now" in this flow lets the sign-in on before the date, never after', () => {
    const skipped: SignInProgress = { ...pwd, minimumSkippedAt: 6 };
    // Before: on to the recovery code the policy requires (then the session).
    expect(nextStep(fresh, none, strong, skipped, BEFORE)).toBe('save_recovery_code');
    // A reminder: asked again at the next sign-in, though skipped on the account.
    expect(nextStep(account, none, strong, pwd, BEFORE)).toBe('choose_mfa');
    // After the date a skip does not count: blocked until the minimum is met.
    expect(nextStep(fresh, none, strong, skipped, AT)).toBe('choose_mfa');
  });

  it('seed 001: a chosen way leads to each factor it lacks, in order, and is finished', () => {
    // "Authenticator + phone number": "Verify your phone number and get Authenticator".
    expect(nextStep(fresh, none, strong, { ...pwd, minimumChoice: 1 }, AT)).toBe('enrol_phone');
    const withPhone = { ...none, phone };
    // The phone alone already meets "password + phone", but the chosen way is finished.
    expect(
      nextStep(fresh, withPhone, strong, { ...pwd, minimumChoice: 1, enrolledAt: 7 }, AT),
    ).toBe('enrol_totp');
    expect(nextStep(fresh, none, strong, { ...pwd, minimumChoice: 0 }, AT)).toBe('enrol_passkey');
    expect(nextStep(fresh, none, strong, { ...pwd, minimumChoice: 2 }, AT)).toBe('enrol_phone');
    // Done: the recovery code the policy requires, then the session.
    const both = { ...none, phone, totp, recoveryCode: savedCode };
    expect(
      nextStep(
        fresh,
        both,
        strong,
        {
          ...pwd,
          minimumChoice: 1,
          secondFactor: { method: 'totp', at: 6, amr: [{ method: 'otp', at: 6 }] },
        },
        AT,
      ),
    ).toBe('completed');
  });

  it('asks a user who holds a factor to pass it before adding another (a new one never vouches)', () => {
    // Only the app: not compliant under seed 001; the app is passed first, then the minimum.
    const appOnly = { ...none, totp };
    expect(nextStep(fresh, appOnly, strong, pwd, AT)).toBe('second_factor');
    expect(
      nextStep(
        fresh,
        appOnly,
        strong,
        { ...pwd, secondFactor: { method: 'totp', at: 6, amr: [{ method: 'otp', at: 6 }] } },
        AT,
      ),
    ).toBe('choose_mfa');
    // Even where sign-in never asks for a second factor (seed 000), an enrolment is not made on
    // the password alone by someone who holds another factor.
    const custom = { ...presets['email-first'], minimum: [['totp' as const]] };
    expect(nextStep(fresh, { ...none, phone }, custom, pwd, AT)).toBe('second_factor');
  });

  it('seeds 000 and 002: one way (a phone): straight to the phone; 000 offers it until skipped once', () => {
    expect(nextStep(fresh, none, presets['email-first'], pwd, AT)).toBe('enrol_phone');
    expect(nextStep(account, none, presets['email-first'], pwd, AT)).toBe('completed');
    expect(nextStep(fresh, none, presets['sms-required'], pwd, AT)).toBe('enrol_phone');
    // 002 blocks: a skip on the account changes nothing.
    expect(nextStep(account, none, presets['sms-required'], pwd, AT)).toBe('enrol_phone');
  });

  it('never offers a way the policy does not allow, or one that needs a password added', () => {
    const noPasskeys = { ...strong, factors: strong.factors.filter((f) => f !== 'passkey') };
    // Only the two ways through a phone remain: still a choice.
    expect(nextStep(fresh, none, noPasskeys, pwd, AT)).toBe('choose_mfa');
    // Passkey or password + phone: an account with no password has one way left, the passkey.
    const policy = { ...strong, minimum: [['passkey'], ['password', 'phone']] as FactorKind[][] };
    expect(nextStep({ ...fresh, password_hash: null }, none, policy, pwd, AT)).toBe(
      'enrol_passkey',
    );
    expect(nextStep(fresh, none, policy, pwd, AT)).toBe('choose_mfa');
  });
});

describe("an administrator's MFA exemption", () => {
  const exempt = { ...account, mfa_exempt_until: AT + 3_600_000 };
  const unsaved: AccountFactors = { ...none, phone, recoveryCode: { id: 'r', saved: false } };

  it('signs in with the password alone while it lasts: no second factor, minimum or recovery code', () => {
    for (const policy of Object.values(presets)) {
      expect(nextStep(exempt, unsaved, policy, pwd, AT), policy.name).toBe('completed');
      expect(nextStep({ ...exempt, phone_offer_dismissed_at: null }, none, policy, pwd, AT)).toBe(
        'completed',
      );
    }
    // The email is still verified first.
    expect(
      nextStep({ ...exempt, email_verified_at: null }, unsaved, presets['sms-required'], pwd, AT),
    ).toBe('verify_email');
  });

  it('ends by itself: at its expiry the second factor is asked again', () => {
    const later = AT + 3_600_000;
    expect(nextStep(exempt, unsaved, presets['sms-required'], pwd, later)).toBe('second_factor');
  });
});

describe('a number an administrator entered', () => {
  const sms = presets['sms-required'];
  const held: AccountFactors = { ...none, phone };

  it('is offered where the second factor is owed, once per sign-in, and waits under an exemption', () => {
    expect(nextStep(account, held, sms, pwd, AT, true)).toBe('confirm_pending_phone');
    expect(nextStep(fresh, none, sms, pwd, AT, true)).toBe('confirm_pending_phone');
    const declined: SignInProgress = { ...pwd, pendingPhoneDeclinedAt: 6 };
    expect(nextStep(account, held, sms, declined, AT, true)).toBe('second_factor');
    expect(nextStep(fresh, none, sms, declined, AT, true)).toBe('enrol_phone');
    // Passed (the number confirmed is the second factor): on.
    const passed: SignInProgress = { ...pwd, secondFactor: { method: 'sms', at: 6, amr: [] } };
    expect(nextStep(account, held, sms, passed, AT, true)).toBe('completed');
    const exempt = { ...account, mfa_exempt_until: AT + 1 };
    expect(nextStep(exempt, held, sms, pwd, AT, true)).toBe('completed');
  });
});

describe('the sign-in table', () => {
  const table = signInFlow.transitions;
  it('refuses the moves it does not list: back from the recovery code, out of a finished flow', () => {
    expect(allowedMove(table, 'save_recovery_code', 'second_factor')).toBe(false);
    expect(allowedMove(table, 'save_recovery_code', 'choose_mfa')).toBe(false);
    expect(allowedMove(table, 'second_factor', 'verify_email')).toBe(false);
    expect(allowedMove(table, 'confirm_phone', 'verify_email')).toBe(false);
    for (const final of ['completed', 'restart'] as const)
      for (const to of Object.keys(table) as (keyof typeof table)[])
        expect(allowedMove(table, final, to), `${final} → ${to}`).toBe(false);
  });

  it('lets every step the machine can owe next be entered from where it is owed', () => {
    expect(allowedMove(table, 'verify_email', 'second_factor')).toBe(true);
    expect(allowedMove(table, 'second_factor', 'save_recovery_code')).toBe(true);
    expect(allowedMove(table, 'confirm_phone', 'restart')).toBe(true);
    expect(allowedMove(table, 'save_recovery_code', 'completed')).toBe(true);
    // Staying is a claim (a resend, a method chosen) while the step is open.
    expect(allowedMove(table, 'second_factor', 'second_factor')).toBe(true);
  });
});
