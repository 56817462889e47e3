import { describe, expect, it } from 'vitest';
import type { AccountFactors } from '../../factors/account-factors.js';
import { presets } from '../../policy/presets.js';
import {
  nextStep,
  secondFactorAlternatives,
  sessionAssurance,
  type SignInData,
} from './machine.js';

const account = { email_verified_at: 1, phone_offer_dismissed_at: 1 };
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
    const data: SignInData = { passwordAt: 5 };
    expect(nextStep(account, withPasskey, presets['strong-mfa'], data)).toBe('second_factor');
    expect(nextStep(account, none, presets['strong-mfa'], data)).not.toBe('second_factor');
    expect(
      secondFactorAlternatives({ ...withPasskey, recoveryCode: { id: 'r', saved: true } }),
    ).toEqual(['passkey', 'recovery_code']);
  });

  it('never asks a password-less passkey sign-in for a second factor, under any policy', () => {
    const data: SignInData = { passkeySignIn: device };
    for (const policy of Object.values(presets)) {
      expect(
        nextStep(
          account,
          { ...withPasskey, totp: { id: 't', addedAt: 1, lastUsedAt: null } },
          policy,
          data,
        ),
      ).not.toBe('second_factor');
    }
    // The account's other steps still apply.
    expect(
      nextStep({ ...account, email_verified_at: null }, withPasskey, presets['email-first'], data),
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
    const second = (userVerified: boolean): SignInData => ({
      passwordAt: 5,
      secondFactor: { factor: 'passkey', at: 10, passkey: { ...device, userVerified } },
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
    expect(sessionAssurance({ passwordAt: 5, secondFactor: { factor: 'email', at: 6 } }).aal).toBe(
      'aal1',
    );
    expect(sessionAssurance({ passwordAt: 5, secondFactor: { factor: 'totp', at: 6 } })).toEqual({
      aal: 'aal2',
      amr: [
        { method: 'pwd', at: 5 },
        { method: 'otp', at: 6 },
      ],
    });
  });
});
