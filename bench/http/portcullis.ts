/**
 * Portcullis under the benchmark: its database seeded (`seed.ts`), then the built server
 * (`dist/src/server.js`, NODE_ENV=production, default logging) started on the server's core, and
 * the scenarios a portal's users make of it: the session check, a password sign-in, a
 * password + authenticator-app sign-in (each app account used once per run: the replay guard
 * refuses a code twice) and a password + SMS code sign-in (the code texted through the outbox to
 * the benchmark's Twilio-shaped sink, `sms-sink.ts`, and typed from there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP, Secret } from 'otpauth';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import type { Requests } from './load.js';
import { emailOf, PASSWORD, phoneOf, seedPortcullis, type Seeded } from './seed.js';
import type { SmsSink } from './sms-sink.js';
import { startPinned, type Running } from './server.js';

export const PUBLIC_URL = 'https://id.bench.example';
export const SESSION_COOKIE = '__Host-portcullis_session';
const JSON_POST = { 'content-type': 'application/json', 'x-portcullis-csrf': '1' };

export interface PortcullisRun {
  server: Running;
  seeded: Seeded;
}

export async function startPortcullis(options: {
  port: number;
  accounts: number;
  totp: number;
  phones: number;
  /** Where texts go (`TWILIO_API_BASE_URL`). */
  smsUrl: string;
  databaseUrl?: string;
  /** Node options for the server (a CPU profile: `--cpu-prof --cpu-prof-dir=…`). */
  nodeOptions?: string[];
  /** More of the server's environment (`ACCESS_LOG=all`, to see what a log line costs). */
  env?: Record<string, string>;
}): Promise<PortcullisRun> {
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PUBLIC_URL,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'portcullis-bench-')),
    SECRET_KEY: 'bench-secret-key-bench-secret-key-bench-secret-key',
    SMTP_URL: 'smtp://127.0.0.1:9',
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'bench-auth-token',
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_BASE_URL: options.smsUrl,
    PORTCULLIS_POLICY: 'examples/portal/portcullis-policy.json',
    RATE_LIMIT_SIGN_IN_PER_MINUTE: '100000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
    // One client address sends every text of the run, to numbers sharing a prefix: the per-IP,
    // per-prefix and hourly limits (S10) are raised as the per-IP request limits are.
    SMS_LIMIT_PER_IP: '10000',
    SMS_LIMIT_PER_PREFIX: '10000',
    SMS_HOURLY_BUDGET: '10000000',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const seeded = await seedPortcullis(config, {
    accounts: options.accounts,
    totp: options.totp,
    phones: options.phones,
    sessions: 1000,
  });
  const url = `http://127.0.0.1:${options.port}`;
  const node = ['node', ...(options.nodeOptions ?? []), 'dist/src/server.js'];
  const server = await startPinned('Portcullis', node, {
    env: { PATH: process.env.PATH, ...env },
    url,
    ready: `${url}/readyz`,
  });
  return { server, seeded };
}

/** GET /api/v1/session with one of the seeded sessions' cookies, round robin. */
export function sessionCheck(seeded: Seeded): Requests {
  let next = 0;
  return [
    {
      method: 'GET',
      path: '/api/v1/session',
      setupRequest: (req) => ({
        ...req,
        headers: {
          ...req.headers,
          cookie: `${SESSION_COOKIE}=${seeded.sessions[next++ % seeded.sessions.length]}`,
        },
      }),
    },
  ];
}

/** POST /api/v1/sign-in for the accounts without an app, round robin. */
export function passwordSignIn(seeded: Seeded): Requests {
  const first = seeded.totpKeys.length + seeded.phones;
  const span = seeded.accounts - first;
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/api/v1/sign-in',
      headers: JSON_POST,
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ email: emailOf(first + (next++ % span)), password: PASSWORD }),
      }),
    },
  ];
}

/**
 * A two-step login: for the n-th login, the password of `account(n).email`, then the code its
 * `code()` gives at that moment, in the flow the first answer named.
 */
function passwordThenCode(
  cursor: { next: number },
  account: (n: number) => { email: string; code: () => string },
): Requests {
  type Login = { code?: () => string; flow?: string };
  return [
    {
      method: 'POST',
      path: '/api/v1/sign-in',
      headers: JSON_POST,
      setupRequest: (req, context: Login) => {
        const { email, code } = account(cursor.next++);
        context.code = code;
        return { ...req, body: JSON.stringify({ email, password: PASSWORD }) };
      },
      onResponse: (_status, body, context: Login) => {
        context.flow = (JSON.parse(body) as { flow?: { flow?: string } }).flow?.flow;
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sign-in/verify-code',
      headers: JSON_POST,
      setupRequest: (req, context: Login) => ({
        ...req,
        body: JSON.stringify({ flow: context.flow, code: context.code!() }),
      }),
    },
  ];
}

/** The password, then the app's current code: each app account once (`cursor` carries on). */
export function passwordAndTotp(seeded: Seeded, cursor: { next: number }): Requests {
  return passwordThenCode(cursor, (n) => {
    const i = n % seeded.totpKeys.length;
    const secret = Secret.fromBase32(seeded.totpKeys[i]!);
    return { email: emailOf(i), code: () => TOTP.generate({ secret, digits: 6, period: 30 }) };
  });
}

/** The password, then the code texted to the account's phone: each phone account once a run. */
export function passwordAndSms(seeded: Seeded, sink: SmsSink, cursor: { next: number }): Requests {
  const first = seeded.totpKeys.length;
  return passwordThenCode(cursor, (n) => {
    const i = n % seeded.phones;
    return { email: emailOf(first + i), code: () => sink.take(phoneOf(i)) ?? '000000' };
  });
}

/** The PostgreSQL backends serving `databaseUrl`'s database (their CPU is the request's too). */
export async function databaseBackends(
  databaseUrl: string,
): Promise<{ pids(): Promise<number[]>; close(): Promise<void> }> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    async pids() {
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      return rows.map((r) => r.pid);
    },
    close: () => client.end(),
  };
}
