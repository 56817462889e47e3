/**
 * `npm run example:portal`: Portcullis on http://localhost:3000 (its own SQLite database and
 * secrets under data/example-portal/, the development outbox) and the example portal
 * (examples/portal/) on http://127.0.0.1:4000, registered as a first-party confidential client
 * the first time — its id and secret kept in data/example-portal/client.json (git-ignored, mode
 * 0600). Its policy is examples/portal/portcullis-policy.json (email-first, with the app's code
 * asked at sign-in once the user has set one up: the way to aal2) unless PORTCULLIS_POLICY is set.
 * Its back-channel logout URI is on 127.0.0.1, so back-channel logout to private networks is on.
 * Ctrl-C stops both. Ports: PORTCULLIS_PORT, PORTAL_PORT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { createServices } from '../src/services.js';
import { openStore } from '../src/store/dialect.js';
import { migrateToLatest } from '../src/store/migrate.js';

const dataDir = join('data', 'example-portal');
const portcullisUrl = `http://localhost:${process.env.PORTCULLIS_PORT ?? '3000'}`;
const portalUrl = `http://127.0.0.1:${process.env.PORTAL_PORT ?? '4000'}`;
const env = {
  ...process.env,
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  PORT: new URL(portcullisUrl).port,
  PUBLIC_URL: portcullisUrl,
  PORTCULLIS_POLICY: process.env.PORTCULLIS_POLICY ?? 'examples/portal/portcullis-policy.json',
  // The portal's back-channel logout URI is on 127.0.0.1: allowed here, for this example only.
  OIDC_BACKCHANNEL_PRIVATE_NETWORKS: 'true',
};

interface SavedClient {
  clientId: string;
  clientSecret: string;
  portalUrl: string;
}

/** The portal's client: the saved one if Portcullis still has it for this URL, else a new one. */
async function ensureClient(): Promise<SavedClient> {
  const file = join(dataDir, 'client.json');
  const saved = existsSync(file)
    ? (JSON.parse(await readFile(file, 'utf8')) as SavedClient)
    : undefined;
  const config = loadConfig(env);
  const store = openStore(config.database);
  await migrateToLatest(store);
  const services = createServices(config, store, systemClock);
  try {
    const backchannelLogoutUri = `${portalUrl}/backchannel-logout`;
    const found = saved && (await services.oidcClients.find(saved.clientId));
    if (saved?.portalUrl === portalUrl && found?.backchannel_logout_uri === backchannelLogoutUri)
      return saved;
    // As `npm run cli -- client add` does.
    const { client, clientSecret } = await services.oidcClients.register(
      {
        name: 'Example Claims Portal',
        kind: 'confidential',
        redirectUris: [`${portalUrl}/callback`],
        postLogoutRedirectUris: [`${portalUrl}/signed-out`],
        backchannelLogoutUri,
        scopes: ['openid', 'email'],
        firstParty: true,
      },
      null,
      { ip: null, userAgent: 'example-portal script' },
    );
    const registered = { clientId: client.clientId, clientSecret: clientSecret!, portalUrl };
    await writeFile(file, JSON.stringify(registered, null, 2), { mode: 0o600 });
    console.log(`Registered the example portal as client ${client.clientId} (secret in ${file}).`);
    return registered;
  } finally {
    await services.close();
  }
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 120 && child.exitCode === null; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer in time.`);
}

async function main(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (!existsSync('web/dist/index.html')) {
    console.log('Building the hosted pages first (npm run build:web)…');
    if (spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit' }).status !== 0) process.exit(1);
  }
  const client = await ensureClient();
  const tsx = (file: string, extra: Record<string, string>) =>
    spawn(process.execPath, ['--import', 'tsx', file], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    process.exitCode = code;
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  const portcullis = tsx('src/server.ts', { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  children.push(portcullis);
  portcullis.on('exit', (code) => stop(code ?? 1));
  await waitUntilReady(`${portcullisUrl}/readyz`, portcullis);

  const portal = tsx('examples/portal/src/main.ts', {
    PORTCULLIS_URL: portcullisUrl,
    PORTAL_URL: portalUrl,
    PORTAL_CLIENT_ID: client.clientId,
    PORTAL_CLIENT_SECRET: client.clientSecret,
  });
  children.push(portal);
  portal.on('exit', (code) => stop(code ?? 1));
  await waitUntilReady(portalUrl, portal);

  console.log(`
  Portcullis:         ${portcullisUrl}   (messages and codes: ${portcullisUrl}/dev/outbox)
  The example portal: ${portalUrl}

  New here? Sign up at ${portcullisUrl}/sign-up and verify your email with the code from the
  outbox, then set up an authenticator app at ${portcullisUrl}/account/security (its
  step-up code is in the outbox too). The portal's "View claims" needs aal2: Portcullis
  asks for the app's code then (a step-up), and at every sign-in from then on. Ctrl-C stops both.
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
