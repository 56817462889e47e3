import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { checkPassword, normalizePassword } from './rules.js';

const ctx = { minLength: 12, email: 'ann.lee@clinic.org', portalName: 'Spectera Provider Portal' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not-an-app-error';
  }
}

describe('password rules (S2, S3)', () => {
  it('accepts a long passphrase with no composition rules', () => {
    expect(checkPassword('correct horse battery staple', ctx)).toBe('correct horse battery staple');
    expect(checkPassword('alllowercaseletters', ctx)).toBe('alllowercaseletters');
  });

  it('counts length in code points, not UTF-16 units', () => {
    const emoji = '🔒'.repeat(11); // 11 code points, 22 UTF-16 units
    expect(codeOf(() => checkPassword(emoji, ctx))).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf(() => checkPassword('🔒🗝️📋🩺' + 'tiger lily', ctx))).toBeUndefined();
  });

  it('tells the user the minimum and how many characters they have', () => {
    try {
      checkPassword('short one', ctx);
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).code).toBe('PASSWORD_TOO_SHORT');
      expect((err as AppError).message).toContain('at least 12 characters (you have 9)');
    }
  });

  it('honours a raised minimum from configuration', () => {
    expect(codeOf(() => checkPassword('fifteen chars!!', { ...ctx, minLength: 16 }))).toBe(
      'PASSWORD_TOO_SHORT',
    );
  });

  it('refuses more than 128 code points and never truncates', () => {
    expect(codeOf(() => checkPassword('a quiet river '.repeat(10), ctx))).toBe('PASSWORD_TOO_LONG');
    const long = 'x9 tall ferns and a quiet lake '.repeat(5).slice(0, 128);
    expect(checkPassword(long, ctx)).toHaveLength(128);
  });

  it('normalises with NFKC and keeps case', () => {
    expect(normalizePassword('ｆｕｌｌｗｉｄｔｈ')).toBe('fullwidth');
    expect(checkPassword('Mixed Case Stays Mixed', ctx)).toBe('Mixed Case Stays Mixed');
  });

  it.each([
    'password1234',
    'qwertyuiop123',
    'Baseball2024!',
    '123456789012',
    'passwordpassword',
    'aaaaaaaaaaaaaa',
    'abcabcabcabc',
  ])('rejects the common or repetitive password %s', (pw) => {
    expect(codeOf(() => checkPassword(pw, ctx))).toBe('PASSWORD_TOO_COMMON');
  });

  it.each([
    'ann.lee-is-the-best',
    'my clinic password',
    'spectera provider portal!',
    'SpecteraProviderPortal',
    'portcullis rocks 42',
  ])('rejects the context word in %s', (pw) => {
    expect(codeOf(() => checkPassword(pw, ctx))).toBe('PASSWORD_HAS_CONTEXT');
  });
});
