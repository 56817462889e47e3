/**
 * Randomness from the operating system's CSPRNG only (S8, S14, S16).
 */
import { randomBytes, randomInt } from 'node:crypto';

/** An opaque token of `bytes` random bytes, base64url (default 32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A public identifier (not a secret): 16 random bytes, base64url. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** `length` decimal digits, each uniformly drawn (no modulo bias: `randomInt` rejects samples). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}
