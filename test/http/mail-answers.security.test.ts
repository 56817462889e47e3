/**
 * Mail never changes the answer (S6, S31): sign-up, forgotten password, email change and
 * invitation answer the same — status, body and time — for an address that has an account and
 * one that has none, whether the SMTP server is slow (300 ms a command) or refuses mail (451).
 * The messages are written to the outbox and sent after the answer; a refused one is logged and
 * retried, never returned. Before, a taken address's sign-up waited for its email (~1.9 s against
 * ~60 ms) and answered 500 when the server refused it.
 */
import type { LightMyRequestResponse } from 'fastify';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePolicy } from '../../src/http/session-cookie.js';
import { Client } from '../helpers/client.js';
import { adminAtAal2 } from '../helpers/admin.js';
import { buildApp, PASSWORD, post, signUp, type TestApp } from './support.js';

type Mode = 'ok' | 'slow' | 'failing';
const COMMAND_MS = 300;

/** A real SMTP server whose behaviour the test switches: answering, slow, or refusing (451). */
async function smtpServer() {
  const state = { mode: 'ok' as Mode, received: [] as string[] };
  const pace = (done: (err?: Error | null) => void) =>
    state.mode === 'slow' ? setTimeout(() => done(), COMMAND_MS) : done();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, done) => pace(done),
    onMailFrom(_address, _session, done) {
      if (state.mode === 'failing')
        return done(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      pace(done);
    },
    onRcptTo: (address, _session, done) => {
      state.received.push(address.address);
      pace(done);
    },
    onData(stream, _session, done) {
      stream.resume();
      stream.on('end', () => pace(done));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { state, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What differs between two requests anyway (the address typed, ids, tokens, times) blanked. */
function shape(res: LightMyRequestResponse) {
  return {
    status: res.statusCode,
    body: res.body
      .replace(/[\w.+-]+@[\w.-]+/g, 'address')
      .replace(/"(flow|id)":"[^"]+"/g, '"$1":"…"')
      .replace(/token=[\w-]+/g, 'token=…')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'time')
      .replace(/"issuedAt":\d+|"expiresAt":\d+|"resendAvailableAt":\d+/g, 'time'),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs `known` and `unknown` in turns; answers must be alike and their median times within
 * 150 ms (a send inside the request costs five slow commands, 1.5 s).
 */
async function alike(
  known: (i: number) => Promise<LightMyRequestResponse>,
  unknown: (i: number) => Promise<LightMyRequestResponse>,
) {
  const times = { known: [] as number[], unknown: [] as number[] };
  const timed = async (name: keyof typeof times, res: Promise<LightMyRequestResponse>) => {
    const started = performance.now();
    const answer = await res;
    times[name].push(performance.now() - started);
    expect(answer.statusCode, answer.body).toBeLessThan(500);
    return shape(answer);
  };
  for (let i = 0; i < 5; i++) {
    const a = await timed('known', known(i));
    expect(await timed('unknown', unknown(i))).toEqual(a);
  }
  expect(Math.abs(median(times.known) - median(times.unknown))).toBeLessThan(150);
  expect(median(times.known)).toBeLessThan(COMMAND_MS);
}

describe.each(['slow', 'failing'] as const)('with an SMTP server that is %s', (mode) => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    smtp = await smtpServer();
    t = await buildApp(
      { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LOG_LEVEL: 'warn' },
      { logStream: { write: (line: string) => void lines.push(line) } },
    );
    for (const email of ['kim@clinic.example', 'lee@clinic.example']) await signUp(t.app, email);
    await t.app.services.outbox.flush();
    smtp.state.mode = mode;
  });
  afterAll(async () => {
    await t.app.close();
    await smtp.close();
  });

  it('answers sign-up alike for a taken and a free address', async () => {
    await alike(
      () => post(t.app, '/api/v1/sign-up', { email: 'kim@clinic.example', password: PASSWORD }),
      (i) =>
        post(t.app, '/api/v1/sign-up', { email: `new${i}@clinic.example`, password: PASSWORD }),
    );
  });

  it('answers a forgotten password alike for an account and no account', async () => {
    await alike(
      () => post(t.app, '/api/v1/password-reset', { email: 'lee@clinic.example', method: 'email' }),
      (i) =>
        post(t.app, '/api/v1/password-reset', {
          email: `none${i}@clinic.example`,
          method: 'email',
        }),
    );
  });

  it('answers an email change alike for a taken and a free address', async () => {
    // Signed in and just verified again (how is tested elsewhere): free to change the address.
    const services = t.app.services;
    const { clock } = services;
    const account = await services.accounts.findByEmail('lee@clinic.example');
    const changer = async () => {
      const { session } = await services.sessions.create({
        accountId: account!.id,
        aal: 'aal1',
        amr: [{ method: 'pwd', at: clock.now() }],
        origin: { ip: null, userAgent: null },
      });
      const { token } = await services.sessions.rotate(session, { stepUpAt: clock.now(), amr: [] });
      const c = new Client(t.app);
      c.cookie = `${cookiePolicy(services.config.publicUrl).name}=${token}`;
      return c;
    };
    await alike(
      async () =>
        (await changer()).post('/api/v1/account/email', { newEmail: 'kim@clinic.example' }),
      async (i) =>
        (await changer()).post('/api/v1/account/email', { newEmail: `moved${i}@clinic.example` }),
    );
  });

  it('answers an invitation alike whether the mail goes or not', async () => {
    const admin = await adminAtAal2(t.app, `admin-${mode}@clinic.example`);
    const invite = (email: string) => admin.c.post('/api/v1/admin/invitations', { email });
    // Invited before: a new invitation replaces the old one (and its mail goes again).
    expect((await invite('again@clinic.example')).statusCode).toBe(201);
    await alike(
      () => invite('again@clinic.example'),
      (i) => invite(`invitee${i}@clinic.example`),
    );
  });

  it('sends every message after the answer, or logs and retries it', async () => {
    await t.app.services.outbox.flush();
    const stats = await t.app.services.outbox.stats();
    if (mode === 'slow') {
      expect(smtp.state.received).toContain('kim@clinic.example');
      expect(stats.queued).toBe(0);
    } else {
      expect(stats.queued).toBeGreaterThan(0);
      const log = lines.join('');
      expect(log).toContain('message could not be sent: will retry');
      expect(log).not.toContain(PASSWORD);
      // The server takes mail again: the waiting messages go once they are due.
      smtp.state.mode = 'ok';
      t.clock.advance(10 * 60_000);
      await t.app.services.outbox.flush();
      expect((await t.app.services.outbox.stats()).queued).toBe(0);
      expect(smtp.state.received).toContain('kim@clinic.example');
    }
  });
});
