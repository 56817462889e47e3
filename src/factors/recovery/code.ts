/**
 * Recovery code format (S14): CSPRNG decimal digits in groups of four ("1234 5678 9012 3456
 * 7890"). Typed input may carry spaces or dashes; anything else is not a recovery code.
 */
import { randomDigits } from '../../crypto/random.js';

export function newRecoveryCode(digits: number): string {
  return randomDigits(digits);
}

export function formatRecoveryCode(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** The digits of a typed code, or null when it has anything but digits, spaces and dashes. */
export function normalizeRecoveryCode(typed: string): string | null {
  const compact = typed.replace(/[\s-]/g, '');
  return /^\d+$/.test(compact) ? compact : null;
}

/** Bits of entropy of a code of `digits` decimal digits. */
export function recoveryCodeBits(digits: number): number {
  return digits * Math.log2(10);
}
