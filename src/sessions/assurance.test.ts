import { describe, expect, it } from 'vitest';
import { aalOf } from './assurance.js';

const amr = (...methods: string[]) => methods.map((method, i) => ({ method, at: i }));

describe('aalOf: the level follows what the session has proven', () => {
  it('gives AAL1 to a password alone', () => {
    expect(aalOf(amr('pwd'))).toBe('aal1');
  });

  it.each([['otp'], ['sms'], ['tel'], ['hwk'], ['swk'], ['recovery_code']])(
    'gives AAL2 to the password and %s (two distinct factors)',
    (second) => {
      expect(aalOf(amr('pwd', second))).toBe('aal2');
    },
  );

  it('never counts an email code (S9), however often it was used', () => {
    expect(aalOf(amr('pwd', 'email'))).toBe('aal1');
    expect(aalOf(amr('pwd', 'email', 'email', 'email'))).toBe('aal1');
    expect(aalOf(amr('email', 'sms'))).toBe('aal1');
  });

  it('reaches AAL2 when a second factor follows the email code in a later step-up', () => {
    expect(aalOf(amr('pwd', 'email', 'otp'))).toBe('aal2');
    expect(aalOf(amr('pwd', 'email', 'email', 'tel'))).toBe('aal2');
  });

  it('counts one factor once: the password twice is still one factor', () => {
    expect(aalOf(amr('pwd', 'pwd'))).toBe('aal1');
  });

  it('needs distinct kinds: two held factors without the password stay AAL1', () => {
    expect(aalOf(amr('otp', 'sms'))).toBe('aal1');
  });

  it('gives AAL2 to a passkey whose device verified the user, and AAL1 without verification', () => {
    expect(aalOf(amr('hwk', 'user'))).toBe('aal2');
    expect(aalOf(amr('swk', 'user'))).toBe('aal2');
    expect(aalOf(amr('hwk'))).toBe('aal1');
  });

  it('counts a device verification only with the passkey that reported it', () => {
    expect(aalOf(amr('user'))).toBe('aal1');
    expect(aalOf(amr('otp', 'user'))).toBe('aal1');
  });

  it('ignores methods it does not know', () => {
    expect(aalOf(amr('pwd', 'mystery'))).toBe('aal1');
    expect(aalOf([])).toBe('aal1');
  });
});
