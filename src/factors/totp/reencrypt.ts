/**
 * Key rotation (S12): re-seals every authenticator secret held under another key than the
 * current (first) one in ENCRYPTION_KEYS. Run after putting a new key first; once it reports
 * nothing left, the old key can be removed. A row changed meanwhile is left for the next run.
 */
import type { SecretBox } from '../../crypto/secret-box.js';
import type { TotpRepo } from './repo.js';
import { factorAad } from './verifier.js';

export async function reencryptSecrets(s: {
  box: SecretBox;
  totps: TotpRepo;
}): Promise<{ resealed: number; current: string }> {
  let resealed = 0;
  for (const row of await s.totps.sealedWithOtherKeys(s.box.currentKeyId)) {
    const aad = factorAad(row.id);
    const secret = s.box.open({ keyId: row.key_id, ciphertext: row.secret_ciphertext }, aad);
    if (await s.totps.reseal(row.id, row.secret_ciphertext, s.box.seal(secret, aad))) resealed++;
  }
  return { resealed, current: s.box.currentKeyId };
}
