import { describe, expect, it } from 'vitest';
import { maskEmail, parseEmail } from './email.js';

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
