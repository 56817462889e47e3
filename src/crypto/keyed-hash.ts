/**
 * Keyed hashing for secrets we must look up or compare but never store: session tokens, flow
 * tokens, invitation tokens and one-time codes (S8, S16). HMAC-SHA-256 under a key derived from
 * SECRET_KEY, so a database dump alone cannot brute-force a 6-digit code.
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto';

export interface KeyedHasher {
  /** Hex HMAC of `value` in the given domain (domains keep token kinds apart). */
  hash(domain: string, value: string): string;
  /** Constant-time comparison of `value`'s hash with a stored hash. */
  matches(domain: string, value: string, storedHash: string): boolean;
}

export function createKeyedHasher(secretKey: string): KeyedHasher {
  // A KeyObject: the key is imported once, not at every hash.
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', secretKey, 'portcullis', 'keyed-hash/v1', 32)),
  );
  const hash = (domain: string, value: string): string =>
    createHmac('sha256', key).update(`${domain}\0${value}`).digest('hex');
  return {
    hash,
    matches(domain, value, storedHash) {
      const a = Buffer.from(hash(domain, value), 'hex');
      const b = Buffer.from(storedHash, 'hex');
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
