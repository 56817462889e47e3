/**
 * The command line's `org-admin` (issue 13): `npm run cli -- org-admin --org <id or name> --email
 * <address>` makes a member of the organisation its administrator, audited, and refuses an
 * address that is not a member with a sentence saying what to do instead.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/dialect.js';
import { migrateToLatest } from '../src/store/migrate.js';

const run = promisify(execFile);

async function cli(dataDir: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run cli -- org-admin', () => {
  it("makes a member their organisation's administrator, and refuses anyone else", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    const store = openStore({ kind: 'sqlite', file: join(dataDir, 'portcullis.db') });
    await migrateToLatest(store);
    const now = Date.now();
    await store.db
      .insertInto('organisations')
      .values({
        id: 'orgNorth',
        name: 'North Clinic',
        policy: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const [id, email, org] of [
      ['accMember', 'mia@north.example', 'orgNorth'],
      ['accOther', 'oli@south.example', null],
    ] as const)
      await store.db
        .insertInto('accounts')
        .values({
          id,
          email,
          email_normalized: email,
          email_verified_at: now,
          password_hash: null,
          state: 'active',
          role: 'user',
          created_at: now,
          updated_at: now,
          phone_offer_dismissed_at: null,
          organisation_id: org,
          display_name: null,
          name_key: null,
          mfa_exempt_until: null,
        })
        .execute();
    await store.close();

    const refused = await cli(dataDir, [
      'org-admin',
      '--org',
      'North Clinic',
      '--email',
      'oli@south.example',
    ]);
    expect(refused.code).toBe(65);
    expect(refused.out).toContain('is not a member of "North Clinic": add them first');

    const made = await cli(dataDir, [
      'org-admin',
      '--org',
      'North Clinic',
      '--email',
      'mia@north.example',
    ]);
    expect(made).toMatchObject({ code: 0 });
    expect(made.out).toContain('mia@north.example is now an administrator of "North Clinic".');

    const after = openStore({ kind: 'sqlite', file: join(dataDir, 'portcullis.db') });
    const mia = await after.db
      .selectFrom('accounts')
      .select('role')
      .where('id', '=', 'accMember')
      .executeTakeFirst();
    expect(mia?.role).toBe('org_admin');
    const event = await after.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'admin.role_changed')
      .executeTakeFirst();
    expect(event).toMatchObject({
      actor_id: null,
      target_id: 'accMember',
      organisation_id: 'orgNorth',
    });
    await after.close();
  }, 60_000);

  it('client add: registers an OpenID Connect client and shows its secret once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    const bad = await cli(dataDir, ['client', 'add', '--name', 'Claims', '--kind', 'secret']);
    expect(bad.code).toBe(64);
    const made = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Claims app',
      '--kind',
      'confidential',
      '--redirect-uri',
      'https://claims.example/callback',
      '--min-acr',
      'urn:portcullis:aal2',
      '--post-logout-redirect-uri',
      'https://claims.example/signed-out',
      '--backchannel-logout-uri',
      'https://claims.example/backchannel-logout',
    ]);
    expect(made.code).toBe(0);
    const clientId = /client_id: +(\S+)/.exec(made.out)?.[1];
    const secret = /client_secret: +(\S+)/.exec(made.out)?.[1];
    expect(clientId && secret).toBeTruthy();
    const store = openStore({ kind: 'sqlite', file: join(dataDir, 'portcullis.db') });
    const row = await store.db
      .selectFrom('oidc_clients')
      .selectAll()
      .where('client_id', '=', clientId!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'confidential',
      min_acr: 'urn:portcullis:aal2',
      post_logout_redirect_uris: JSON.stringify(['https://claims.example/signed-out']),
      backchannel_logout_uri: 'https://claims.example/backchannel-logout',
    });
    expect(JSON.stringify(row)).not.toContain(secret!);
    await store.close();

    // Its own key instead of a secret, and RS256 ID tokens.
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwksFile = join(dataDir, 'billing-jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [await exportJWK(publicKey)] }));
    const keyed = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Billing API',
      '--kind',
      'confidential',
      '--redirect-uri',
      'https://billing.example/callback',
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      jwksFile,
      '--id-token-alg',
      'RS256',
    ]);
    expect(keyed.code).toBe(0);
    expect(keyed.out).not.toContain('client_secret');
  }, 60_000);

  it('keys rotate: a new key per algorithm, published now, signing an hour later', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    const rotated = await cli(dataDir, ['keys', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/New ES256 key \S+: published now, signs from /);
    expect(rotated.out).toMatch(/New RS256 key \S+: published now, signs from /);
    const store = openStore({ kind: 'sqlite', file: join(dataDir, 'portcullis.db') });
    const rows = await store.db.selectFrom('oidc_signing_keys').selectAll().execute();
    expect(rows).toHaveLength(4);
    const retired = rows.filter((r) => r.retired_at !== null);
    expect(retired).toHaveLength(2);
    const fresh = rows.filter((r) => r.retired_at === null);
    for (const key of fresh) {
      // An hour after the rotation began (the key is made a moment after).
      expect(key.signs_from - key.created_at).toBeGreaterThan(3_590_000);
      expect(key.signs_from - key.created_at).toBeLessThanOrEqual(3_600_000);
    }
    await store.close();
  }, 60_000);
});
