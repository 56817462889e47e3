import { describe, expect, it } from 'vitest';
import type { AccountFactors } from './account-factors.js';
import { amrOfMethod, heldMethods, passkeyAmr } from './methods.js';

const phone = (kind: 'mobile' | 'landline') =>
  ({ kind, e164: '+447546123456' }) as unknown as AccountFactors['phone'];
const everything: AccountFactors = {
  phone: phone('mobile'),
  totp: { id: 't', addedAt: 0, lastUsedAt: null },
  recoveryCode: { id: 'r', saved: true },
  passkeys: 2,
};
const all = ['password', 'phone', 'totp', 'passkey', 'recovery_code'] as const;

describe('the methods an account holds', () => {
  it('lists them strongest first: passkey, app, recovery code, text, call, email', () => {
    expect(heldMethods(everything, { allowed: all, recoveryCode: true, email: true })).toEqual([
      'passkey',
      'totp',
      'recovery_code',
      'sms',
      'voice',
      'email',
    ]);
  });

  it('keeps to what the policy allows and the flow accepts', () => {
    const rules = { allowed: ['phone', 'totp'] as const, recoveryCode: false, email: false };
    expect(heldMethods(everything, rules)).toEqual(['totp', 'sms', 'voice']);
    expect(
      heldMethods({ ...everything, phone: phone('landline') }, { ...rules, allowed: ['phone'] }),
    ).toEqual(['voice']);
  });

  it('counts only passkeys that may sign in, and nothing the account lacks', () => {
    const none: AccountFactors = {
      phone: undefined,
      totp: undefined,
      recoveryCode: undefined,
      passkeys: 0,
    };
    expect(heldMethods(none, { allowed: all, recoveryCode: true, email: false })).toEqual([]);
  });

  it('names each in RFC 8176 words', () => {
    expect(
      ['totp', 'sms', 'voice', 'email', 'recovery_code'].map(
        (m) => amrOfMethod(m as 'totp', 5).method,
      ),
    ).toEqual(['otp', 'sms', 'tel', 'email', 'recovery_code']);
    expect(passkeyAmr({ key: 'hwk', at: 7, userVerified: true } as never)).toEqual([
      { method: 'hwk', at: 7 },
      { method: 'user', at: 7 },
    ]);
  });
});
