/**
 * Portcullis over real sockets, as a portal's users load it (issue 15). Builds
 * the server, seeds its database, starts it as its own process in production mode pinned to one
 * core and drives it from the other with autocannon: the session check, a password sign-in, a
 * password + authenticator-app sign-in, a password + SMS code sign-in, the OpenID Connect code
 * exchange and token introspection (`oidc-rounds.ts`). In the same rounds, on the same core: a bare node:http
 * hello, the raw argon2id rate, and better-auth with the same scenarios (`peer.ts`). Medians of the rounds, the ratios, and bench/results/<date>.
 * Its settings come from `npm run bench`'s options (bench/run.ts).
 */
import { execFileSync } from 'node:child_process';
import { freePort, ownDatabase } from '../../test/helpers/processes.js';
import { argon2Rate, startFastifyHello, startHello } from './baselines.js';
import { phase, type Phase } from './load.js';
import {
  passwordAndSms,
  passwordAndTotp,
  databaseBackends,
  passwordSignIn,
  sessionCheck,
  startPortcullis,
} from './portcullis.js';
import { startSmsSink } from './sms-sink.js';
import { assertActive, codeExchange, introspection, prepareCodes } from './oidc-rounds.js';
import { ensurePeerInstalled, peerSession, peerSignIn, peerTotp, startPeer } from './peer.js';
import { pinSelf } from './proc.js';
import { machineLine, mediansOf, writeReport, type Report } from './report.js';
import { LOAD_CORE } from './server.js';

export interface HttpBenchSettings {
  db: 'sqlite' | 'postgres';
  accounts: number;
  rounds: number;
  seconds: number;
  connections: number;
  /** better-auth beside it (`bench/peer/`), round by round. */
  peer: boolean;
  /** Node's flags for Portcullis's process (none by default: as `npm run serve` starts it). */
  serverNodeOptions: string[];
}

/** The peer's phases of one round, as Portcullis's. */
async function peerRound(
  peer: Awaited<ReturnType<typeof startPeer>>,
  load: { connections: number; seconds: number },
  cursor: { next: number },
): Promise<Phase[]> {
  const { server, seeded } = peer;
  return [
    await phase(server, 'get-session', { ...load, requests: peerSession(seeded) }),
    await phase(server, 'password sign-in', { ...load, requests: peerSignIn(seeded, server.url) }),
    await phase(server, 'password + TOTP sign-in', {
      ...load,
      requests: peerTotp(seeded, server.url, cursor),
    }),
  ];
}

/** Codes made (untimed), each redeemed once at the token endpoint, then one token introspected. */
async function oidcPhases(
  server: Parameters<typeof phase>[0],
  seeded: Awaited<ReturnType<typeof startPortcullis>>['seeded'],
  load: { connections: number; seconds: number },
): Promise<Phase[]> {
  const codes = await prepareCodes(server.url, seeded, CODES_PER_ROUND);
  const tokens: string[] = [];
  const exchange = await phase(server, 'OIDC code exchange', {
    ...load,
    amount: codes.length,
    requests: codeExchange(seeded, codes, tokens),
  });
  await assertActive(server.url, seeded, tokens[0]!);
  const introspected = await phase(server, 'OIDC introspection', {
    ...load,
    requests: introspection(seeded, tokens[0]!),
  });
  return [exchange, introspected];
}

/** About three seconds of exchanges; made in about seven (a code lives a minute). */
const CODES_PER_ROUND = 600;

export async function benchHttp(settings: HttpBenchSettings): Promise<Report> {
  const { accounts, rounds, seconds, connections } = settings;
  const pinned = pinSelf(LOAD_CORE);
  console.log('Building the server (npm run build:server)…');
  execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: 'inherit' });
  let database: Awaited<ReturnType<typeof ownDatabase>> | undefined;
  if (settings.db === 'postgres') {
    if (!process.env.BENCH_DATABASE_URL) throw new Error('--db postgres needs BENCH_DATABASE_URL');
    database = await ownDatabase(process.env.BENCH_DATABASE_URL, 'bench');
  }
  // Enough app accounts that none is used twice in a run (the replay guard refuses a reused code).
  const totp = Math.min(accounts / 2, Math.max(2000, rounds * seconds * 150));
  // And phones enough that no number gets more texts than its limit (S10) allows in a run.
  const phones = Math.min(accounts / 4, Math.max(1000, rounds * seconds * 60));
  console.log(
    `Seeding ${accounts.toLocaleString('en')} accounts (${totp} with an app, ${phones} with a phone)…`,
  );
  const sink = await startSmsSink();
  const portcullis = await startPortcullis({
    port: await freePort(),
    accounts,
    totp,
    phones,
    smsUrl: sink.url,
    nodeOptions: settings.serverNodeOptions,
    ...(database ? { databaseUrl: database.url } : {}),
  });
  const { seeded } = portcullis;
  // On PostgreSQL the database's backends do part of each request's work: counted beside it.
  const backends = database ? await databaseBackends(database.url) : undefined;
  const server = backends
    ? { ...portcullis.server, databasePids: () => backends.pids() }
    : portcullis.server;
  const hello = await startHello(await freePort());
  const fastifyHello = await startFastifyHello(await freePort());
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  if (settings.peer) {
    ensurePeerInstalled();
    console.log('Seeding better-auth alike…');
    peer = await startPeer({ port: await freePort(), accounts, totp });
  }
  const peerCursor = { next: 0 };
  const phases: Phase[] = [];
  const argon2: Report['argon2'] = [];
  const cursor = { next: 0 };
  const smsCursor = { next: 0 };
  const load = { connections, seconds };
  try {
    // A short warm-up (JIT, caches, connection pools), not counted.
    await phase(server, 'warm-up', { ...load, seconds: 2, requests: sessionCheck(seeded) });
    if (peer)
      await phase(peer.server, 'warm-up', {
        ...load,
        seconds: 2,
        requests: peerSession(peer.seeded),
      });
    for (let round = 1; round <= rounds; round++) {
      console.log(`Round ${round} of ${rounds}…`);
      const measured = [
        await phase(server, 'session check', { ...load, requests: sessionCheck(seeded) }),
        await phase(server, 'password sign-in', { ...load, requests: passwordSignIn(seeded) }),
        await phase(server, 'password + TOTP sign-in', {
          ...load,
          requests: passwordAndTotp(seeded, cursor),
        }),
        await phase(server, 'password + SMS sign-in', {
          ...load,
          requests: passwordAndSms(seeded, sink, smsCursor),
        }),
        ...(await oidcPhases(server, seeded, load)),
        await phase(hello, 'hello', { ...load, requests: [{ method: 'GET', path: '/' }] }),
        await phase(fastifyHello, 'hello', { ...load, requests: [{ method: 'GET', path: '/' }] }),
        ...(peer ? await peerRound(peer, load, peerCursor) : []),
      ];
      argon2.push(await argon2Rate(connections, seconds));
      for (const p of measured)
        console.log(
          `  ${p.target} ${p.scenario}: ${p.okPerSecond.toFixed(0)} ok/s, ${p.cpuMsPerOk.toFixed(3)} ms CPU each, ${p.non2xx + p.errors} not ok`,
        );
      phases.push(...measured);
    }
  } finally {
    await server.stop();
    await hello.stop();
    await fastifyHello.stop();
    await peer?.server.stop();
    await sink.close();
    await backends?.close();
    await database?.drop();
  }
  const medians = mediansOf(phases);
  const of = (target: string, scenario: string) =>
    medians.find((p) => p.target === target && p.scenario === scenario)!;
  const session = of('Portcullis', 'session check');
  const signIn = of('Portcullis', 'password sign-in');
  const argonRate = [...argon2].sort((a, b) => a.perSecond - b.perSecond)[
    Math.floor(argon2.length / 2)
  ]!;
  const report: Report = {
    date: new Date().toISOString(),
    machine: machineLine(),
    settings: { ...settings, pinned },
    phases,
    medians,
    argon2,
    ratios: {
      'session check / node:http hello':
        session.okPerSecond / of('node:http hello', 'hello').okPerSecond,
      'session check / Fastify hello':
        session.okPerSecond / of('Fastify hello', 'hello').okPerSecond,
      'password sign-in / raw argon2id': signIn.okPerSecond / argonRate.perSecond,
      'raw argon2id verifications per s': argonRate.perSecond,
      'raw argon2id CPU ms per hash': argonRate.cpuMsPerHash,
      ...(peer
        ? {
            'session check / better-auth get-session':
              session.okPerSecond / of('better-auth', 'get-session').okPerSecond,
            'password sign-in / better-auth':
              signIn.okPerSecond / of('better-auth', 'password sign-in').okPerSecond,
            'password + TOTP / better-auth':
              of('Portcullis', 'password + TOTP sign-in').okPerSecond /
              of('better-auth', 'password + TOTP sign-in').okPerSecond,
          }
        : {}),
    },
    notes: [
      `${seeded.accounts.toLocaleString('en')} accounts seeded in ${seeded.seconds.toFixed(0)} s, inserted directly with one precomputed argon2id hash.`,
      'A password + TOTP or password + SMS sign-in is two requests; its ok req/s counts both.',
      'The SMS code goes through the outbox to a Twilio-shaped API on loopback in the benchmark process (the load core); the per-IP, per-prefix and hourly text limits are raised for the run. better-auth has no SMS scenario here (its phone plugin is not part of the configuration compared).',
      ...(peer
        ? [
            'better-auth 1.7.25 (bench/peer/): email and password, the two-factor plugin, SQLite (better-sqlite3, WAL); its rate limiter off. It accepts the same TOTP code twice (no replay guard); Portcullis refuses the second (S13).',
          ]
        : []),
    ],
  };
  console.log(`\n${writeReport(report)}`);
  return report;
}
