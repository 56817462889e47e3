/**
 * The session check's one statement (token_hash → session ⋈ account, both by unique index),
 * built and compiled once per store so that each check only binds the token's keyed hash, and
 * its row split back into the session and the account.
 */
import { sql } from 'kysely';
import { compiledOnce } from '../store/compiled.js';
import type { Account, Db, Session } from '../store/schema.js';

/**
 * The session check's one statement, by the token's keyed hash. The session is found first (a
 * subquery held to its one row) and its account joined to that row: once SQLite has its table
 * statistics (ANALYZE) it runs this in a third of the time of the plain join of the two tables
 * (10-11 against 32 µs on 10,000 sessions); the LIMIT keeps it from flattening the subquery
 * back into that join. A plain `select`, not a CTE: a PostgreSQL connection found dead under it
 * may run it again (src/store/dialect.ts retries only what starts by reading).
 */
const lookup = (db: Db, tokenHash: string) =>
  db
    .selectFrom((q) =>
      q
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .limit(sql.lit(1))
        .as('found'),
    )
    .innerJoin('accounts', 'accounts.id', 'found.account_id')
    .select([
      'found.id as s_id',
      'found.token_hash',
      'found.account_id',
      'found.aal',
      'found.amr',
      'found.created_at as s_created_at',
      'found.last_seen_at',
      'found.expires_at',
      'found.ip',
      'found.user_agent',
      'found.step_up_at',
      'found.idle_ms',
      'accounts.id',
      'accounts.email',
      'accounts.email_normalized',
      'accounts.email_verified_at',
      'accounts.password_hash',
      'accounts.state',
      'accounts.role',
      'accounts.created_at',
      'accounts.updated_at',
      'accounts.phone_offer_dismissed_at',
      'accounts.organisation_id',
      'accounts.display_name',
      'accounts.name_key',
      'accounts.mfa_exempt_until',
    ]);

export type SessionRow = NonNullable<
  Awaited<ReturnType<ReturnType<typeof lookup>['executeTakeFirst']>>
>;

/** Built and compiled once: each check only binds the hash (and SQLite keeps it prepared). */
export function sessionLookup(db: Db): (tokenHash: string) => Promise<SessionRow | undefined> {
  const rows = compiledOnce(db, (tokenHash: string) => lookup(db, tokenHash));
  return async (tokenHash) => (await rows(tokenHash))[0];
}

/** The row's two halves, as the rest of the code knows them. */
export function sessionAndAccountOf(row: SessionRow): { session: Session; account: Account } {
  return {
    session: {
      id: row.s_id,
      token_hash: row.token_hash,
      account_id: row.account_id,
      aal: row.aal,
      amr: row.amr,
      created_at: row.s_created_at,
      last_seen_at: row.last_seen_at,
      expires_at: row.expires_at,
      ip: row.ip,
      user_agent: row.user_agent,
      step_up_at: row.step_up_at,
      idle_ms: row.idle_ms,
    },
    account: {
      id: row.id,
      email: row.email,
      email_normalized: row.email_normalized,
      email_verified_at: row.email_verified_at,
      password_hash: row.password_hash,
      state: row.state,
      role: row.role,
      created_at: row.created_at,
      updated_at: row.updated_at,
      phone_offer_dismissed_at: row.phone_offer_dismissed_at,
      organisation_id: row.organisation_id,
      display_name: row.display_name,
      name_key: row.name_key,
      mfa_exempt_until: row.mfa_exempt_until,
    },
  };
}
