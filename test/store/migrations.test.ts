/**
 * Store conformance: the one set of migrations builds the same schema on every dialect, runs
 * idempotently, and the constraints the code relies on (unique emails and token hashes,
 * cascading deletes, epoch-ms integers) hold on each.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { newId } from '../../src/crypto/random.js';
import { openStore } from '../../src/store/dialect.js';
import { migrateToLatest, migrationNames } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import { underDdlLock, type TestStore } from '../helpers/stores.js';
import { insertAccount, storeDialects } from './fixtures.js';

/** Every table and its columns, checked against schema.ts by the compiler. */
const expectedColumns: { [T in keyof Database]: (keyof Database[T] & string)[] } = {
  accounts: [
    'id',
    'email',
    'email_normalized',
    'email_verified_at',
    'password_hash',
    'state',
    'role',
    'created_at',
    'updated_at',
    'phone_offer_dismissed_at',
    'organisation_id',
    'display_name',
    'name_key',
    'mfa_exempt_until',
  ],
  invitations: [
    'id',
    'token_hash',
    'account_id',
    'created_by',
    'created_at',
    'expires_at',
    'accepted_at',
  ],
  sessions: [
    'id',
    'token_hash',
    'account_id',
    'aal',
    'amr',
    'created_at',
    'last_seen_at',
    'expires_at',
    'ip',
    'user_agent',
    'step_up_at',
    'idle_ms',
  ],
  flows: ['id', 'kind', 'state', 'account_id', 'data', 'version', 'created_at', 'expires_at'],
  one_time_codes: [
    'id',
    'account_id',
    'flow_id',
    'purpose',
    'channel',
    'destination',
    'code_hash',
    'attempts',
    'created_at',
    'expires_at',
    'consumed_at',
  ],
  failure_counters: ['subject', 'failures', 'last_failure_at', 'locked_at', 'account_id'],
  pending_phones: ['account_id', 'e164', 'country', 'kind', 'set_by', 'created_at'],
  oidc_payloads: [
    'kind',
    'id',
    'payload',
    'grant_id',
    'user_code',
    'uid',
    'expires_at',
    'consumed_at',
  ],
  oidc_signing_keys: ['kid', 'alg', 'sealed_jwk', 'created_at', 'signs_from', 'retired_at'],
  oidc_clients: [
    'client_id',
    'name',
    'kind',
    'secret_hash',
    'redirect_uris',
    'post_logout_redirect_uris',
    'scopes',
    'min_acr',
    'first_party',
    'backchannel_logout_uri',
    'created_by',
    'created_at',
    'auth_method',
    'jwks',
    'id_token_alg',
  ],
  oidc_logins: [
    'session_id',
    'client_id',
    'account_id',
    'sid',
    'grant_id',
    'created_at',
    'expires_at',
  ],
  outbox_messages: ['id', 'channel', 'recipient', 'subject', 'body', 'created_at'],
  outgoing_messages: [
    'id',
    'channel',
    'recipient',
    'key_id',
    'sealed',
    'created_at',
    'not_after',
    'next_attempt_at',
    'attempts',
    'claimed_until',
    'last_error',
    'failed_at',
  ],
  audit_events: [
    'id',
    'at',
    'actor_id',
    'action',
    'target_id',
    'ip',
    'user_agent',
    'details',
    'organisation_id',
    'reason',
  ],
  phones: [
    'id',
    'account_id',
    'e164',
    'country',
    'kind',
    'verified_at',
    'created_at',
    'last_used_at',
  ],
  rate_counters: ['key', 'window_start', 'count'],
  totp_factors: [
    'id',
    'account_id',
    'secret_ciphertext',
    'key_id',
    'last_step',
    'created_at',
    'last_used_at',
  ],
  recovery_codes: [
    'id',
    'account_id',
    'code_hash',
    'digits',
    'created_at',
    'saved_at',
    'used_at',
    'revoked_at',
  ],
  passkeys: [
    'id',
    'account_id',
    'credential_id',
    'public_key',
    'sign_count',
    'transports',
    'name',
    'aaguid',
    'backup_eligible',
    'backed_up',
    'created_at',
    'last_used_at',
    'flagged_at',
  ],
  organisations: ['id', 'name', 'policy', 'created_at', 'updated_at'],
  deployment_policies: ['id', 'document', 'updated_at', 'updated_by'],
};

describe.each(storeDialects)('migrations on %s', (name, open) => {
  let t: TestStore;
  const clock = new FakeClock();

  beforeEach(async () => {
    t = await open();
  });
  afterEach(async () => {
    await t.close();
  });

  // Introspection lists every schema of the database: not while another file drops one.
  async function ourTables() {
    const schema = t.config.kind === 'postgres' ? t.config.schema : undefined;
    const tables = await underDdlLock(t, () => t.store.db.introspection.getTables());
    return tables.filter((table) => schema === undefined || table.schema === schema);
  }

  it('treats running the migrations again as a no-op', async () => {
    const before = await ourTables();
    // Each run takes the migration lock itself (the DDL lock of the tests).
    await migrateToLatest(t.store);
    await migrateToLatest(t.store);
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(
      t.store.db,
    );
    expect(applied.rows.map((r) => r.name)).toEqual(migrationNames);
    expect(await ourTables()).toEqual(before);
  });

  // Two deployments (or a Portcullis and another Kysely app) sharing one PostgreSQL database in
  // different schemas: each must get its own migration tables.
  // Defined on PostgreSQL only (a schema is a PostgreSQL notion), so no run reports a skip.
  const onPostgres = name === 'postgres' ? it : () => undefined;
  onPostgres(
    'migrates a fresh schema while another schema of the same database is migrated',
    async () => {
      if (t.config.kind !== 'postgres') return;
      const { url } = t.config;
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const second = openStore({ kind: 'postgres', url, poolSize: 2, schema });
      try {
        await migrateToLatest(second);
        const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(
          second.db,
        );
        expect(applied.rows.map((r) => r.name)).toEqual(migrationNames);
        await expect(second.db.selectFrom('accounts').selectAll().execute()).resolves.toEqual([]);
      } finally {
        await second.close();
        await underDdlLock(t, () => admin.query(`DROP SCHEMA ${schema} CASCADE`));
        await admin.end();
      }
    },
  );

  it('creates every table with exactly the columns schema.ts declares', async () => {
    const tables = await ourTables();
    const actual = Object.fromEntries(
      tables.map((table) => [table.name, table.columns.map((c) => c.name).sort()]),
    );
    const expected = Object.fromEntries(
      Object.entries(expectedColumns).map(([name, columns]) => [name, [...columns].sort()]),
    );
    expect(actual).toEqual(expected);
  });

  it('refuses a second account with the same normalised email', async () => {
    await insertAccount(t.store.db, clock, { email: 'Ann@example.org' });
    await expect(
      insertAccount(t.store.db, clock, {
        email: 'ANN@example.org',
        email_normalized: 'ann@example.org',
      }),
    ).rejects.toThrow();
    const rows = await t.store.db
      .selectFrom('accounts')
      .select('id')
      .where('email_normalized', '=', 'ann@example.org')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses two sessions with the same token hash', async () => {
    const account = await insertAccount(t.store.db, clock);
    const session = (id: string) => ({
      id,
      token_hash: 'same-hash',
      account_id: account.id,
      aal: 'aal1' as const,
      amr: '[]',
      created_at: clock.now(),
      last_seen_at: clock.now(),
      expires_at: clock.now() + 60_000,
      ip: null,
      user_agent: null,
    });
    await t.store.db.insertInto('sessions').values(session(newId())).execute();
    await expect(
      t.store.db.insertInto('sessions').values(session(newId())).execute(),
    ).rejects.toThrow();
  });

  it('deletes an account’s sessions and invitations with the account', async () => {
    const account = await insertAccount(t.store.db, clock);
    const now = clock.now();
    await t.store.db
      .insertInto('sessions')
      .values({
        id: newId(),
        token_hash: newId(),
        account_id: account.id,
        aal: 'aal1',
        amr: '[]',
        created_at: now,
        last_seen_at: now,
        expires_at: now + 60_000,
        ip: null,
        user_agent: null,
      })
      .execute();
    await t.store.db
      .insertInto('invitations')
      .values({
        id: newId(),
        token_hash: newId(),
        account_id: account.id,
        created_by: null,
        created_at: now,
        expires_at: now + 60_000,
        accepted_at: null,
      })
      .execute();
    await t.store.db.deleteFrom('accounts').where('id', '=', account.id).execute();
    expect(await t.store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('invitations').selectAll().execute()).toEqual([]);
  });

  it('round-trips epoch-ms times beyond 32 bits as numbers', async () => {
    const far = Date.UTC(2199, 11, 31, 23, 59, 59, 999);
    const account = await insertAccount(t.store.db, clock, { created_at: far, updated_at: far });
    const row = await t.store.db
      .selectFrom('accounts')
      .select(['created_at', 'email_verified_at'])
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe(far);
    expect(typeof row.email_verified_at).toBe('number');
  });
});
