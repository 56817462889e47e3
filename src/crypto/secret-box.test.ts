import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { createSecretBox, derivedKey } from './secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const opened = (f: () => unknown) => {
  try {
    f();
    return 'opened';
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

describe('secret box (AES-256-GCM, S12)', () => {
  it('round-trips, with a fresh nonce each time and the key id alongside', () => {
    const box = createSecretBox([key('k1')]);
    const secret = randomBytes(20);
    const a = box.seal(secret, 'totp:1');
    const b = box.seal(secret, 'totp:1');
    expect(a.keyId).toBe('k1');
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(box.open(a, 'totp:1').equals(secret)).toBe(true);
  });

  it('refuses another row, a tampered byte, and an unknown key id', () => {
    const box = createSecretBox([key('k1')]);
    const sealed = box.seal(randomBytes(20), 'totp:1');
    expect(opened(() => box.open(sealed, 'totp:2'))).toBe('DECRYPTION_FAILED');
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[14] = raw[14]! ^ 1;
    expect(
      opened(() => box.open({ ...sealed, ciphertext: raw.toString('base64') }, 'totp:1')),
    ).toBe('DECRYPTION_FAILED');
    expect(opened(() => box.open({ ...sealed, keyId: 'k2' }, 'totp:1'))).toBe('DECRYPTION_FAILED');
    expect(opened(() => box.open({ ...sealed, ciphertext: 'AAAA' }, 'totp:1'))).toBe(
      'DECRYPTION_FAILED',
    );
  });

  it('seals with the first key and opens with any listed one (rotation)', () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const old = createSecretBox([k1]).seal(Buffer.from('x'), 'a');
    const rotated = createSecretBox([k2, k1]);
    expect(rotated.open(old, 'a').toString()).toBe('x');
    expect(rotated.seal(Buffer.from('x'), 'a').keyId).toBe('k2');
    // A ciphertext relabelled with another key id does not open under it.
    expect(opened(() => rotated.open({ ...old, keyId: 'k2' }, 'a'))).toBe('DECRYPTION_FAILED');
  });

  it('derives a stable key from SECRET_KEY when none is configured', () => {
    const a = derivedKey('a secret key of more than thirty-two characters');
    const b = derivedKey('a secret key of more than thirty-two characters');
    expect(a.id).toBe('k0');
    expect(a.key.equals(b.key)).toBe(true);
    expect(a.key).toHaveLength(32);
  });
});
