/**
 * A client's own keys, for `private_key_jwt` (RFC 7523): the public JWKS it signs its client
 * assertions with, registered with it. Only public keys of the kinds the provider verifies are
 * taken; a key carrying a private part is refused (it must never leave the client).
 */
import { createPublicKey } from 'node:crypto';
import { AppError } from '../errors/app-error.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const KINDS = new Set(['EC', 'RSA', 'OKP']);
const MAX_KEYS = 10;

export interface PublicJwks {
  keys: Record<string, unknown>[];
}

function refused(message: string): AppError {
  return new AppError('OIDC_CLIENT_INVALID', { message, details: { field: 'jwks' } });
}

/** The JWKS as it is stored (JSON), once every key in it is a usable public key. */
export function publicJwksOf(input: unknown): string {
  const keys = (input as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS)
    throw refused(`Give the client's public keys as a JWKS: { "keys": [ … ] }, 1 to ${MAX_KEYS}.`);
  for (const key of keys as Record<string, unknown>[]) {
    if (typeof key !== 'object' || key === null || !KINDS.has(String(key.kty)))
      throw refused('Each key must be an EC, RSA or OKP public key (kty).');
    if (PRIVATE_MEMBERS.some((member) => member in key))
      throw refused('A key holds a private part: register only the public key.');
    try {
      createPublicKey({ key: key as never, format: 'jwk' });
    } catch {
      throw refused('A key is not a valid public key.');
    }
  }
  return JSON.stringify({ keys } satisfies PublicJwks);
}
