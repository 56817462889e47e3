import { describe, expect, it } from 'vitest';
import { mayRemove } from './factors.js';
import { presets } from './presets.js';

const set = (phone: number, totp: number, passkey = 0) => ({ phone, totp, passkey });

describe('which second factor may be removed', () => {
  it('sms-required keeps the phone, whatever else the user has', () => {
    const p = presets['sms-required'];
    expect(mayRemove('phone', set(1, 1), p)).toBe(false);
    expect(mayRemove('phone', set(1, 0, 2), p)).toBe(false);
    expect(mayRemove('totp', set(1, 1), p)).toBe(true);
    expect(mayRemove('passkey', set(1, 0, 1), p)).toBe(true);
  });

  it('a policy that always asks for a second factor keeps the last one', () => {
    const always = { ...presets['strong-mfa'], mfaAtSignIn: 'always' as const };
    expect(mayRemove('totp', set(0, 1), always)).toBe(false);
    expect(mayRemove('totp', set(1, 1), always)).toBe(true);
    expect(mayRemove('phone', set(1, 1), always)).toBe(true);
  });

  it('counts passkeys one by one: the last passkey is the last factor, one of two is not', () => {
    const always = { ...presets['strong-mfa'], mfaAtSignIn: 'always' as const };
    expect(mayRemove('passkey', set(0, 0, 1), always)).toBe(false);
    expect(mayRemove('passkey', set(0, 0, 2), always)).toBe(true);
    expect(mayRemove('totp', set(0, 1, 1), always)).toBe(true);
    expect(mayRemove('passkey', set(0, 1, 1), always)).toBe(true);
  });

  it('other policies let either go, and nothing absent can be removed', () => {
    for (const name of ['email-first', 'strong-mfa'] as const) {
      expect(mayRemove('phone', set(1, 0), presets[name])).toBe(true);
      expect(mayRemove('totp', set(0, 1), presets[name])).toBe(true);
      expect(mayRemove('passkey', set(0, 0, 1), presets[name])).toBe(true);
      expect(mayRemove('totp', set(1, 0), presets[name])).toBe(false);
      expect(mayRemove('passkey', set(1, 1, 0), presets[name])).toBe(false);
    }
  });
});
