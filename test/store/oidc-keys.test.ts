/**
 * The OpenID Connect provider's signing keys (issue 14), on SQLite and PostgreSQL: made once per
 * algorithm, the private key stored only sealed; a rotation publishes the new key at once and
 * signs with it only after the lead time; a token signed before the rotation still verifies
 * against the published keys, one signed after carries the new `kid`; the old key goes once every
 * token it signed has expired.
 */
import { createLocalJWKSet, jwtVerify, SignJWT, importJWK, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createSigningKeys, type SigningKeys } from '../../src/oidc/keys.js';
import type { TestStore } from '../helpers/stores.js';
import { storeDialects } from './fixtures.js';

const HOUR = 3_600_000;
const box = createSecretBox([{ id: 'k1', key: Buffer.alloc(32, 7) }]);
const publicOf = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }: JWK) => pub;

async function sign(keys: JWK[], alg: string, at: number): Promise<string> {
  const jwk = keys.find((k) => k.alg === alg)!;
  return new SignJWT({ sub: 'a1' })
    .setProtectedHeader({ alg, kid: jwk.kid! })
    .setIssuedAt(Math.floor(at / 1000))
    .sign(await importJWK(jwk, alg));
}

describe.each(storeDialects)('OIDC signing keys on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let keys: SigningKeys;
  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    keys = createSigningKeys(t.store.db, box, () => clock.now(), {
      publishLeadMs: HOUR,
      retainMs: 24 * HOUR,
    });
  });
  afterEach(() => t.close());

  it('makes one key per algorithm, once, and stores it sealed', async () => {
    await keys.ensure();
    await keys.ensure();
    const rows = await t.store.db.selectFrom('oidc_signing_keys').selectAll().execute();
    expect(rows.map((r) => r.alg).sort()).toEqual(['ES256', 'RS256']);
    const current = await keys.current();
    for (const jwk of current) {
      expect(jwk.d).toBeDefined();
      for (const row of rows) expect(row.sealed_jwk).not.toContain(jwk.d!);
    }
  });

  it('rotates: published first, signing after the lead time, the old key kept for its tokens', async () => {
    await keys.ensure();
    const before = await keys.current();
    const oldKid = before.find((k) => k.alg === 'ES256')!.kid;
    const oldToken = await sign(before, 'ES256', clock.now());

    const [added] = await keys.rotate();
    const published = await keys.current();
    expect(published.map((k) => k.kid)).toContain(added!.kid);
    // Until the lead time has passed the old key still signs (it comes first for its alg).
    expect(published.find((k) => k.alg === 'ES256')!.kid).toBe(oldKid);

    clock.advance(HOUR);
    const after = await keys.current();
    expect(after.find((k) => k.alg === 'ES256')!.kid).toBe(added!.kid);
    const newToken = await sign(after, 'ES256', clock.now());
    const jwks = createLocalJWKSet({ keys: after.map(publicOf) });
    expect((await jwtVerify(oldToken, jwks)).protectedHeader.kid).toBe(oldKid);
    expect((await jwtVerify(newToken, jwks)).protectedHeader.kid).toBe(added!.kid);

    // A day after it stopped signing, no token it signed lives on: it is no longer published.
    clock.advance(24 * HOUR + 1);
    expect((await keys.current()).map((k) => k.kid)).not.toContain(oldKid);
  });
});
