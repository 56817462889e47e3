/**
 * Portcullis's database for the benchmark, written before the server starts: N verified
 * accounts sharing one precomputed password hash (so seeding a million takes seconds, not
 * argon2id-hours: said in the report), the first T of them with an authenticator app (sealed as
 * the app's own are), the next P with a verified mobile number (an SMS code at sign-in), and S
 * signed-in sessions for the session check (of accounts with neither).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config/load.js';
import { createPasswordHasher } from '../../src/factors/password/hashing.js';
import { base32Of, newTotpSecret } from '../../src/factors/totp/totp.js';
import { factorAad } from '../../src/factors/totp/verifier.js';
import { createServices } from '../../src/services.js';
import { openStore } from '../../src/store/dialect.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export const PASSWORD = 'correct horse battery staple';
export const emailOf = (i: number) => `user${String(i).padStart(7, '0')}@clinic${i % 97}.example`;
/** The mobile number of the `i`-th account with a phone (valid UK mobiles, +447911 …). */
export const phoneOf = (i: number) => `+447911${String(100000 + i).padStart(6, '0')}`;

export interface Seeded {
  accounts: number;
  /** Accounts with an authenticator app: index → its key (base32). */
  totpKeys: string[];
  /** Accounts with a phone: the first is account `totpKeys.length`; see `phoneOf`. */
  phones: number;
  /** Session tokens, for the session check. */
  sessions: string[];
  /** A first-party OpenID Connect client (confidential), for the code exchange. */
  oidc: { clientId: string; clientSecret: string; redirectUri: string };
  seconds: number;
}

export async function seedPortcullis(
  config: Config,
  counts: { accounts: number; totp: number; phones: number; sessions: number },
): Promise<Seeded> {
  const started = Date.now();
  const store = openStore(config.database);
  await migrateToLatest(store);
  const services = createServices(config, store, systemClock);
  try {
    const hash = await createPasswordHasher().hash(PASSWORD);
    const now = Date.now();
    const ids: string[] = [];
    const batch = 500;
    for (let start = 0; start < counts.accounts; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(counts.accounts, start + batch); i++) {
        const email = emailOf(i);
        const id = `acct${String(i).padStart(9, '0')}`;
        ids.push(id);
        rows.push({
          id,
          email,
          email_normalized: email,
          email_verified_at: now,
          password_hash: hash,
          state: 'active' as const,
          role: 'user' as const,
          created_at: now - (counts.accounts - i) * 1000,
          updated_at: now,
          phone_offer_dismissed_at: now, // "Skip for Now" already chosen: sign-in goes straight in
          organisation_id: null,
          display_name: `Person ${i}`,
          name_key: `person ${i}`,
          mfa_exempt_until: null,
        });
      }
      await store.db.insertInto('accounts').values(rows).execute();
    }
    const totpKeys: string[] = [];
    for (let i = 0; i < counts.totp; i++) {
      const secret = newTotpSecret();
      const id = randomBytes(12).toString('hex');
      await services.totps.save(
        ids[i]!,
        { id, ...services.box.seal(secret, factorAad(id)) },
        0,
        now,
      );
      totpKeys.push(base32Of(secret).replace(/ /g, ''));
    }
    const phoneRows = Array.from({ length: counts.phones }, (_, i) => ({
      id: randomBytes(12).toString('hex'),
      account_id: ids[counts.totp + i]!,
      e164: phoneOf(i),
      country: 'GB',
      kind: 'mobile' as const,
      verified_at: now,
      created_at: now,
      last_used_at: null,
    }));
    for (let start = 0; start < phoneRows.length; start += batch)
      await store.db
        .insertInto('phones')
        .values(phoneRows.slice(start, start + batch))
        .execute();
    const sessions: string[] = [];
    const plain = counts.totp + counts.phones;
    for (let i = 0; i < counts.sessions; i++) {
      const { token } = await services.sessions.create({
        accountId: ids[plain + (i % (counts.accounts - plain))]!,
        aal: 'aal1',
        amr: [{ method: 'pwd', at: now }],
        origin: { ip: '127.0.0.1', userAgent: 'bench' },
      });
      sessions.push(token);
    }
    const redirectUri = 'https://portal.bench.example/callback';
    const { client, clientSecret } = await services.oidcClients.register(
      { name: 'Bench portal', kind: 'confidential', redirectUris: [redirectUri], firstParty: true },
      null,
      { ip: null, userAgent: 'bench' },
    );
    await sql`ANALYZE`.execute(store.db);
    return {
      accounts: counts.accounts,
      totpKeys,
      phones: counts.phones,
      oidc: { clientId: client.clientId, clientSecret: clientSecret!, redirectUri },
      sessions,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await services.close();
  }
}
