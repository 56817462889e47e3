/**
 * `oidc-provider`'s storage on the project's own database (issue 14): one row per model instance
 * (`oidc_payloads`, keyed by kind and id), so every server process sees the same codes, tokens and
 * sessions. A code is consumed by one guarded UPDATE: of two redemptions racing, one wins and the
 * other is refused as `invalid_grant` (its grant revoked, as a second redemption is). Expired rows
 * are read as absent and swept by an idempotent DELETE, at most once a minute per process.
 */
import type { Clock } from '../clock.js';
import type { Db } from '../store/schema.js';

/** What `oidc-provider` stores: a JSON object (its `consumed`, `grantId`, `uid`, `userCode`…). */
export type AdapterPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

/** The adapter interface `oidc-provider` calls, one instance per model name. */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** Raised when a consume loses its race; the provider answers it as `invalid_grant`. */
export type ConsumeRefused = (message: string) => Error;

const SWEEP_EVERY_MS = 60_000;

/**
 * Models that name a grant without being issued under it: an interaction in flight (which may be
 * the one switching this browser to another account while the first account's grant is revoked)
 * and a browser's session. Revoking a grant never ends them.
 */
const NOT_UNDER_A_GRANT = new Set(['Interaction', 'Session']);

/**
 * The adapter class `oidc-provider` is configured with (`new Adapter(modelName)`), bound to one
 * database and clock.
 */
export function kyselyAdapter(db: Db, clock: Clock, refused: ConsumeRefused) {
  let lastSweep = 0;

  async function sweep(now: number): Promise<void> {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    // Several processes may run this at once: a DELETE of what has expired is the same for all.
    await db.deleteFrom('oidc_payloads').where('expires_at', '<', now).execute();
  }

  return class KyselyAdapter implements OidcAdapter {
    constructor(readonly kind: string) {}

    private live(now: number) {
      return db
        .selectFrom('oidc_payloads')
        .select(['payload', 'consumed_at'])
        .where('kind', '=', this.kind)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    }

    private static read(row: { payload: string; consumed_at: number | null } | undefined) {
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
      return payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const now = clock.now();
      const row = {
        payload: JSON.stringify(payload),
        grant_id: NOT_UNDER_A_GRANT.has(this.kind) ? null : (payload.grantId ?? null),
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: typeof expiresIn === 'number' ? now + expiresIn * 1000 : null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ kind: this.kind, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(row))
        .execute();
      await sweep(now);
    }

    async find(id: string) {
      return KyselyAdapter.read(
        await this.live(clock.now()).where('id', '=', id).executeTakeFirst(),
      );
    }

    async findByUid(uid: string) {
      return KyselyAdapter.read(
        await this.live(clock.now()).where('uid', '=', uid).executeTakeFirst(),
      );
    }

    async findByUserCode(userCode: string) {
      return KyselyAdapter.read(
        await this.live(clock.now()).where('user_code', '=', userCode).executeTakeFirst(),
      );
    }

    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: clock.now() })
        .where('kind', '=', this.kind)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return;
      // Another request consumed it first: it is a second redemption, and its grant goes.
      const row = await db
        .selectFrom('oidc_payloads')
        .select('grant_id')
        .where('kind', '=', this.kind)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row?.grant_id) await this.revokeByGrantId(row.grant_id);
      throw refused(`${this.kind} already consumed`);
    }

    async destroy(id: string): Promise<void> {
      await db
        .deleteFrom('oidc_payloads')
        .where('kind', '=', this.kind)
        .where('id', '=', id)
        .execute();
    }

    /** Every code and token of the grant, and the grant itself. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrant(db, grantId);
    }
  };
}

/** Every code and token issued under a grant, and the grant itself, in one statement. */
export async function revokeGrant(db: Db, grantId: string): Promise<void> {
  await db
    .deleteFrom('oidc_payloads')
    .where((eb) =>
      eb.or([
        eb('grant_id', '=', grantId),
        eb.and([eb('kind', '=', 'Grant'), eb('id', '=', grantId)]),
      ]),
    )
    .execute();
}
