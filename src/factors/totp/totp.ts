/**
 * RFC 6238 time-based codes (S12, S13): 160-bit secrets, 30 s steps, SHA-1, 6 digits. A code is
 * accepted for the current step or the one before (T-1..T: a code typed as the step turned),
 * never a future one, and only for a step after the last accepted one — the caller records that
 * step atomically (repo.ts), so a code cannot be replayed. Server time only.
 */
import { timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_MS = 30_000;
export const TOTP_DIGITS = 6;
/** 160 bits (RFC 4226's recommended length; S12). */
export const TOTP_SECRET_BYTES = 20;

export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: TOTP_SECRET_BYTES }).bytes);
}

/** The key as the user types it into an app: base32, in groups of four. */
export function base32Of(secret: Buffer): string {
  const b32 = new Secret({ buffer: toArrayBuffer(secret) }).base32;
  return b32.replace(/(.{4})/g, '$1 ').trim();
}

/** `otpauth://totp/<Portal>:<email>?secret=…&issuer=<Portal>&algorithm=SHA1&digits=6&period=30` */
export function otpauthUri(secret: Buffer, portalName: string, email: string): string {
  return new TOTP({
    issuer: portalName,
    label: email,
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_MS / 1000,
  }).toString();
}

export function stepAt(now: number): number {
  return Math.floor(now / TOTP_PERIOD_MS);
}

export function codeForStep(secret: Buffer, step: number): string {
  return TOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_MS / 1000,
    timestamp: step * TOTP_PERIOD_MS,
  });
}

/**
 * The time step `code` belongs to, if it is the code of step T or T-1 at `now`; null otherwise.
 * Both candidates are always computed and compared in constant time.
 */
export function matchStep(secret: Buffer, code: string, now: number): number | null {
  const typed = Buffer.from(code.replace(/\s/g, ''));
  const current = stepAt(now);
  let matched: number | null = null;
  for (const step of [current - 1, current]) {
    const expected = Buffer.from(codeForStep(secret, step));
    if (typed.length === expected.length && timingSafeEqual(typed, expected)) matched = step;
  }
  return matched;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
