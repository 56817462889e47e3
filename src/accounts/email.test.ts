import { describe, expect, it } from 'vitest';
import { maskEmail, mixedScripts, parseEmail, parseNewEmail } from './email.js';

describe('email addresses', () => {
  it('trims and lower-cases the domain, keeps the mailbox as typed, and keys on all lower case', () => {
    expect(parseEmail('  Ann.Lee@Clinic.ORG ')).toEqual({
      display: 'Ann.Lee@clinic.org',
      normalized: 'ann.lee@clinic.org',
    });
  });

  it.each([
    '',
    'ann',
    'ann@',
    '@clinic.org',
    'ann@clinic',
    'ann lee@clinic.org',
    'ann@@clinic.org',
    'ann@clinic..org',
  ])('rejects %j with INVALID_EMAIL', (input) => {
    expect(() => parseEmail(input)).toThrowError(
      expect.objectContaining({ code: 'INVALID_EMAIL' }),
    );
  });

  it('masks the mailbox the way seed 000 shows it', () => {
    expect(maskEmail('someone@uhs.com')).toBe('*****@uhs.com');
  });
});

describe('addresses are keyed as a person reads them (NFKC and case folding)', () => {
  it.each([
    ['\u2174ic@example.test', 'ⅴ, U+2174 small roman numeral five'],
    ['\u2164ic@example.test', 'Ⅴ, U+2164 roman numeral five'],
    ['\uff56ic@example.test', 'fullwidth v'],
    ['VIC@example.test', 'capitals'],
    ['v\u0069c@EXAMPLE.test', 'plain'],
  ])('%j (%s) is the same account as vic@example.test', (input) => {
    expect(parseEmail(input).normalized).toBe('vic@example.test');
  });

  it('folds case fully: ß is ss, a final sigma is a sigma, a ligature is its letters', () => {
    expect(parseEmail('strasse@example.test').normalized).toBe(
      parseEmail('STRAßE@example.test').normalized,
    );
    expect(parseEmail('\u03bf\u03c2@example.test').normalized).toBe(
      parseEmail('\u039f\u03a3@example.test').normalized,
    );
    expect(parseEmail('\ufb01le@example.test').normalized).toBe('file@example.test');
  });

  it('keeps the address as typed for showing and sending', () => {
    expect(parseEmail('\u2174ic@Example.test').display).toBe('\u2174ic@example.test');
  });

  it('refuses what folding turns into an address of another shape (a fullwidth @)', () => {
    expect(() => parseEmail('ann\uff20evil.test@example.test')).toThrowError(
      expect.objectContaining({ code: 'INVALID_EMAIL' }),
    );
  });
});

describe('a new address must not mix scripts in a confusable way', () => {
  it.each([
    ['v\u0456c@example.test', 'Latin with a Cyrillic і'],
    ['\u0440aypal@example.test', 'a Cyrillic р with Latin'],
    ['\u03bflga@example.test', 'a Greek ο with Latin'],
    ['\u0430\u03b2@example.test', 'Cyrillic with Greek'],
    ['ann\u0661@example.test', 'Latin with an Arabic-Indic digit'],
    ['ann\u200b@example.test', 'a zero-width space'],
    ['ann\u202e@example.test', 'a direction override'],
  ])('refuses %j (%s) with INVALID_EMAIL', (input) => {
    expect(() => parseNewEmail(input)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_EMAIL',
        details: { field: 'email', reason: 'confusable' },
      }),
    );
  });

  it.each([
    ['ann.lee+portal_2@example.test', 'Latin with digits and punctuation'],
    ['jos\u00e9@example.test', 'Latin with an accent'],
    ['jose\u0301@example.test', 'Latin with a combining accent'],
    ['\u0438\u0432\u0430\u043d@example.test', 'Cyrillic alone'],
    ['\u03b1\u03bd\u03bd\u03b1@example.test', 'Greek alone'],
    ['\u7530\u4e2d\u305f\u308d\u3046taro@example.test', 'Han, Hiragana and Latin (Japanese)'],
    ['\uae40min@example.test', 'Hangul and Latin (Korean)'],
    ['\u2174ic@example.test', 'a compatibility form that folds to Latin'],
  ])('accepts %j (%s)', (input) => {
    expect(() => parseNewEmail(input)).not.toThrow();
  });

  it('looks only at the mailbox once normalised', () => {
    expect(mixedScripts('vic')).toBe(false);
    expect(mixedScripts('v\u0456c')).toBe(true);
  });

  it('still finds an account stored before the rule: lookups only normalise', () => {
    expect(parseEmail('v\u0456c@example.test').normalized).toBe('v\u0456c@example.test');
  });
});
