import { describe, expect, it } from 'vitest';
import { mayRemove } from './factors.js';
import { presets } from './presets.js';

describe('which second factor may be removed', () => {
  it('sms-required keeps the phone, whatever else the user has', () => {
    const p = presets['sms-required'];
    expect(mayRemove('phone', { phone: true, totp: true }, p)).toBe(false);
    expect(mayRemove('totp', { phone: true, totp: true }, p)).toBe(true);
  });

  it('a policy that always asks for a second factor keeps the last one', () => {
    const always = { ...presets['strong-mfa'], mfaAtSignIn: 'always' as const };
    expect(mayRemove('totp', { phone: false, totp: true }, always)).toBe(false);
    expect(mayRemove('totp', { phone: true, totp: true }, always)).toBe(true);
    expect(mayRemove('phone', { phone: true, totp: true }, always)).toBe(true);
  });

  it('other policies let either go, and nothing absent can be removed', () => {
    for (const name of ['email-first', 'strong-mfa'] as const) {
      expect(mayRemove('phone', { phone: true, totp: false }, presets[name])).toBe(true);
      expect(mayRemove('totp', { phone: false, totp: true }, presets[name])).toBe(true);
      expect(mayRemove('totp', { phone: true, totp: false }, presets[name])).toBe(false);
    }
  });
});
