/**
 * The OpenID Connect provider's signing keys (issue 14): generated at first start (ES256, and
 * RS256 for clients that need it), stored in the database with the private JWK sealed under
 * ENCRYPTION_KEYS, never in a file. `rotate` adds a key that is published at once but signs only
 * from `signs_from`, so relying parties have fetched it first; the key it replaces is retired and
 * stays published until every token it signed has expired.
 */
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../store/schema.js';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface KeyTimes {
  /** How long before it signs a new key is published (relying parties cache the JWKS). */
  publishLeadMs: number;
  /** How long a retired key stays published: the longest a token it signed may live. */
  retainMs: number;
}

export interface SigningKeys {
  /** Makes the first key of each algorithm (two processes at first start may both: the newer signs). */
  ensure(): Promise<void>;
  /** The private JWKs as the provider takes them: each algorithm's signing key first. */
  current(): Promise<JWK[]>;
  /** The ids of `current()`'s keys, in its order, read without opening any (a cheap check). */
  layout(): Promise<string>;
  /** A new key per algorithm, signing after the lead time; the old ones retire then. */
  rotate(): Promise<{ kid: string; alg: SigningAlg; signsFrom: number }[]>;
}

const aad = (kid: string) => `oidc-signing-key:${kid}`;

export function createSigningKeys(
  db: Db,
  box: SecretBox,
  now: () => number,
  times: KeyTimes,
): SigningKeys {
  async function add(alg: SigningAlg, signsFrom: number) {
    const kid = newId();
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    const sealed = box.seal(Buffer.from(JSON.stringify(jwk)), aad(kid));
    await db
      .insertInto('oidc_signing_keys')
      .values({
        kid,
        alg,
        sealed_jwk: JSON.stringify(sealed),
        created_at: now(),
        signs_from: signsFrom,
        retired_at: null,
      })
      .execute();
    return { kid, alg, signsFrom };
  }

  /** The published keys: each algorithm's signer first, then the others still published. */
  async function published() {
    const at = now();
    const rows = await db
      .selectFrom('oidc_signing_keys')
      .selectAll()
      .where((eb) =>
        eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', at - times.retainMs)]),
      )
      .orderBy('kid')
      .execute();
    // The signer of each algorithm: the newest whose time has come. Then every other key
    // still published (one about to sign, one retired whose tokens may live on).
    const signers = new Set<string>();
    for (const alg of SIGNING_ALGS) {
      const due = rows
        .filter((r) => r.alg === alg && r.signs_from <= at)
        .sort((a, b) => b.signs_from - a.signs_from)[0];
      if (due) signers.add(due.kid);
    }
    return [...rows.filter((r) => signers.has(r.kid)), ...rows.filter((r) => !signers.has(r.kid))];
  }

  return {
    async ensure() {
      const held = await db.selectFrom('oidc_signing_keys').select('alg').distinct().execute();
      const have = new Set(held.map((r) => r.alg));
      for (const alg of SIGNING_ALGS) if (!have.has(alg)) await add(alg, now());
    },

    async current() {
      const rows = await published();
      return rows.map(
        (r) => JSON.parse(box.open(JSON.parse(r.sealed_jwk), aad(r.kid)).toString()) as JWK,
      );
    },

    layout: async () => (await published()).map((r) => r.kid).join(' '),

    async rotate() {
      const signsFrom = now() + times.publishLeadMs;
      const added = [];
      for (const alg of SIGNING_ALGS) {
        // The keys it replaces stop signing when it starts, and stay published after.
        await db
          .updateTable('oidc_signing_keys')
          .set({ retired_at: signsFrom })
          .where('alg', '=', alg)
          .where('retired_at', 'is', null)
          .execute();
        added.push(await add(alg, signsFrom));
      }
      return added;
    },
  };
}
