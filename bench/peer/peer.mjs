/**
 * better-auth (pinned in package.json), the peer `npm run bench` measures Portcullis beside:
 * email and password, the two-factor plugin's TOTP, get-session, on SQLite (better-sqlite3, WAL
 * as Portcullis's), configured per its documentation; its own rate limiter off, as Portcullis's
 * per-IP limits are raised for the benchmark.
 *   node bench/peer/peer.mjs seed <dir> <accounts> <totp> <sessions>   prints what the load needs
 *   node bench/peer/peer.mjs serve <dir> <port>
 * Seeding signs one user up through the API (for its password hash), inserts the others with
 * that hash (as Portcullis's seeding does), gives the first <totp> an authenticator secret
 * sealed the plugin's way, and signs <sessions> users in through the API for their cookies.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { symmetricEncrypt } from 'better-auth/crypto';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import Database from 'better-sqlite3';

export const PASSWORD = 'correct horse battery staple';
export const emailOf = (i) => `user${String(i).padStart(7, '0')}@clinic${i % 97}.example`;

function authFor(dir, port) {
  const database = new Database(join(dir, 'peer.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  return {
    database,
    auth: betterAuth({
      database,
      secret: 'bench-peer-secret-bench-peer-secret-bench-peer-secret',
      baseURL: `http://127.0.0.1:${port}`,
      emailAndPassword: { enabled: true },
      plugins: [twoFactor()],
      rateLimit: { enabled: false },
      telemetry: { enabled: false },
    }),
  };
}

async function seed(dir, accounts, totp, sessions) {
  const { auth, database } = authFor(dir, 0);
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  await auth.api.signUpEmail({ body: { email: emailOf(0), password: PASSWORD, name: 'Person 0' } });
  const first = database.prepare('select * from user where email = ?').get(emailOf(0));
  const hash = database.prepare('select password from account where userId = ?').get(first.id);
  const addUser = database.prepare(
    'insert into user (id, name, email, emailVerified, createdAt, updatedAt, twoFactorEnabled) values (?, ?, ?, ?, ?, ?, 0)',
  );
  const addAccount = database.prepare(
    "insert into account (id, accountId, providerId, userId, password, createdAt, updatedAt) values (?, ?, 'credential', ?, ?, ?, ?)",
  );
  const ids = [first.id];
  database.transaction(() => {
    for (let i = 1; i < accounts; i++) {
      const id = randomUUID();
      ids.push(id);
      addUser.run(id, `Person ${i}`, emailOf(i), 1, first.createdAt, first.updatedAt);
      addAccount.run(randomUUID(), id, id, hash.password, first.createdAt, first.updatedAt);
    }
  })();
  const context = await auth.$context;
  const secrets = [];
  const addTotp = database.prepare(
    'insert into twoFactor (id, secret, backupCodes, userId, verified) values (?, ?, ?, ?, 1)',
  );
  const enable = database.prepare('update user set twoFactorEnabled = 1 where id = ?');
  for (let i = 0; i < totp; i++) {
    const secret = randomBytes(24).toString('base64url').slice(0, 32);
    const sealed = await symmetricEncrypt({ key: context.secretConfig, data: secret });
    const codes = await symmetricEncrypt({ key: context.secretConfig, data: JSON.stringify([]) });
    addTotp.run(randomUUID(), sealed, codes, ids[i]);
    enable.run(ids[i]);
    secrets.push(secret);
  }
  const cookies = [];
  for (let i = 0; i < sessions; i++) {
    const res = await auth.api.signInEmail({
      body: { email: emailOf(totp + (i % (accounts - totp))), password: PASSWORD },
      asResponse: true,
    });
    cookies.push(
      res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    );
  }
  database.pragma('optimize');
  database.close();
  process.stdout.write(JSON.stringify({ secrets, cookies }));
}

function serve(dir, port) {
  const { auth } = authFor(dir, port);
  createServer(toNodeHandler(auth)).listen(port, '127.0.0.1', () => {
    process.stdout.write(`better-auth listening on ${port}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

const [command, dir, ...rest] = process.argv.slice(2);
if (command === 'seed') await seed(dir, ...rest.map(Number));
else if (command === 'serve') serve(dir, Number(rest[0]));
else {
  process.stderr.write(
    'usage: peer.mjs seed <dir> <accounts> <totp> <sessions> | serve <dir> <port>\n',
  );
  process.exit(64);
}
