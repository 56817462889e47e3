import { describe, expect, it } from 'vitest';
import { base32Of, codeForStep, matchStep, newTotpSecret, otpauthUri, stepAt } from './totp.js';

// RFC 6238 appendix B, SHA-1 seed; the 8-digit reference codes' last six digits.
const rfcSecret = Buffer.from('12345678901234567890', 'ascii');
const vectors: [seconds: number, code: string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP verifier', () => {
  it.each(vectors)('accepts the RFC 6238 SHA-1 code at T=%is', (seconds, code) => {
    const now = seconds * 1000;
    expect(matchStep(rfcSecret, code, now)).toBe(stepAt(now));
  });

  it('accepts the previous step (T-1) and refuses T-2 and the next step', () => {
    const now = 1111111111 * 1000;
    const t = stepAt(now);
    expect(matchStep(rfcSecret, codeForStep(rfcSecret, t - 1), now)).toBe(t - 1);
    expect(matchStep(rfcSecret, codeForStep(rfcSecret, t - 2), now)).toBeNull();
    expect(matchStep(rfcSecret, codeForStep(rfcSecret, t + 1), now)).toBeNull();
  });

  it('refuses wrong, short and non-digit codes', () => {
    const now = 59_000;
    for (const bad of ['287083', '28708', '2870820', 'abcdef', ''])
      expect(matchStep(rfcSecret, bad, now)).toBeNull();
  });

  it('tolerates a space typed in the middle', () => {
    expect(matchStep(rfcSecret, '287 082', 59_000)).toBe(stepAt(59_000));
  });

  it('makes 160-bit secrets, different every time', () => {
    const a = newTotpSecret();
    expect(a).toHaveLength(20);
    expect(a.equals(newTotpSecret())).toBe(false);
    expect(base32Of(a).replace(/ /g, '')).toHaveLength(32);
  });

  it('builds the otpauth URI the apps read', () => {
    const uri = new URL(otpauthUri(rfcSecret, 'Spectera Provider Portal', 'ava@clinic.org'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Spectera Provider Portal:ava@clinic.org');
    expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri.searchParams.get('issuer')).toBe('Spectera Provider Portal');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
