import { describe, expect, it } from 'vitest';
import {
  formatRecoveryCode,
  newRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeBits,
} from './code.js';

describe('recovery code format (S14)', () => {
  it('makes codes of the asked length from the CSPRNG, shown in groups of four', () => {
    const code = newRecoveryCode(20);
    expect(code).toMatch(/^\d{20}$/);
    expect(formatRecoveryCode(code)).toMatch(/^\d{4}( \d{4}){4}$/);
    expect(formatRecoveryCode('1234567890123456')).toBe('1234 5678 9012 3456');
    expect(new Set(Array.from({ length: 50 }, () => newRecoveryCode(20))).size).toBe(50);
  });

  it('reads what people type: spaces and dashes, nothing else', () => {
    expect(normalizeRecoveryCode(' 1234-5678 9012  3456 ')).toBe('1234567890123456');
    expect(normalizeRecoveryCode('1234 5678 9012 345O')).toBeNull();
    expect(normalizeRecoveryCode('')).toBeNull();
  });

  it('counts bits: 20 digits pass NIST’s 64, the seed’s 16 do not', () => {
    expect(recoveryCodeBits(20)).toBeGreaterThan(64);
    expect(recoveryCodeBits(16)).toBeLessThan(64);
  });
});
