/**
 * Encryption at rest for secrets the server must read back (authenticator-app secrets; S12):
 * AES-256-GCM with a fresh 96-bit nonce per seal, and associated data that binds a ciphertext to
 * its row (a secret copied onto another account does not open). Every ciphertext is stored with
 * the id of the key that sealed it, so keys can rotate: the first configured key seals, every
 * configured key opens, and `reencrypt` (CLI) moves old rows to the current key.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';

export interface Sealed {
  keyId: string;
  /** base64 of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
  ciphertext: string;
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: Buffer, aad: string): Sealed;
  /** Throws DECRYPTION_FAILED for an unknown key id, a wrong `aad` or a tampered ciphertext. */
  open(sealed: Sealed, aad: string): Buffer;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The key used when ENCRYPTION_KEYS is unset: derived from SECRET_KEY, id `k0`. */
export function derivedKey(secretKey: string): EncryptionKey {
  return {
    id: 'k0',
    key: Buffer.from(hkdfSync('sha256', secretKey, 'portcullis', 'secret-box/v1', 32)),
  };
}

const NONCE = 12;
const TAG = 16;

export function createSecretBox(keys: readonly EncryptionKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new Error('createSecretBox needs at least one key');
  for (const k of keys) if (k.key.length !== 32) throw new Error(`key ${k.id} is not 32 bytes`);
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  return {
    currentKeyId: current.id,

    seal(plaintext, aad) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
      cipher.setAAD(Buffer.from(`${current.id}\0${aad}`));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        keyId: current.id,
        ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64'),
      };
    },

    open(sealed, aad) {
      const key = byId.get(sealed.keyId);
      const raw = Buffer.from(sealed.ciphertext, 'base64');
      if (!key || raw.length < NONCE + TAG) throw new AppError('DECRYPTION_FAILED');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE));
        decipher.setAAD(Buffer.from(`${sealed.keyId}\0${aad}`));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        return Buffer.concat([
          decipher.update(raw.subarray(NONCE, raw.length - TAG)),
          decipher.final(),
        ]);
      } catch {
        throw new AppError('DECRYPTION_FAILED');
      }
    },
  };
}
