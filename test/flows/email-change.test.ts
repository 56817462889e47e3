/**
 * Changing the email address from the account page (issue 6; S6, S8, S20, S21): a fresh step-up,
 * a code sent to the new address, the account's email changed (and verified) only by that code,
 * the old address told. An address that belongs to another account is never revealed to the
 * person trying it, and of two concurrent confirmations one wins.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { EMAIL_CHANGE_LIMITS } from '../../src/accounts/email-change.js';
import { Client, latestCode, outbox, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start() {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
}

/** Signed in, stepped up by email: free to change the email now. */
async function readyClient(email: string): Promise<Client> {
  const c = await signedInClient(app, email);
  await stepUpByEmail(c, email);
  return c;
}

const begin = (c: Client, newEmail: string) => c.post('/api/v1/account/email', { newEmail });
const confirm = (c: Client, flow: string, code: string) =>
  c.post('/api/v1/account/email/confirm', { flow, code });

async function auditOf(action: string) {
  return app.services.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .execute();
}

/** An answer with what differs between two requests anyway (tokens, times) blanked. */
function shape(res: LightMyRequestResponse) {
  return JSON.parse(
    res.body.replace(/"flow":"[^"]+"/g, '"flow":"…"').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'time'),
  );
}

const signIn = (email: string) =>
  new Client(app).post('/api/v1/sign-in', { email, password: PASSWORD });

describe('changing the email address', () => {
  it('sends a code to the new address, changes the email with it, tells the old address; the new email signs in', async () => {
    await start();
    const c = await readyClient('ada@clinic.org');

    const started = await begin(c, '  Ada@NewClinic.org ');
    expect(started.statusCode).toBe(200);
    const { flow, destination, code } = started.json().flow;
    expect(destination).toBe('*****@newclinic.org');
    expect(code).toMatchObject({ channel: 'email', length: 6, attemptsLeft: 5 });
    const [mail] = await outbox(app, 'Ada@newclinic.org');
    expect(mail!.text).toMatch(/verification code is: \d{6}/);
    // Nothing changes before the code is back.
    expect((await c.get('/api/v1/session')).json().user.email).toBe('ada@clinic.org');

    const done = await confirm(c, flow, await latestCode(app, 'Ada@newclinic.org'));
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ email: { address: '*****@newclinic.org', verified: true } });
    expect((await c.get('/api/v1/session')).json().user).toMatchObject({
      email: 'Ada@newclinic.org',
      emailVerified: true,
    });
    expect((await c.get('/api/v1/account/security')).json().email).toEqual({
      address: '*****@newclinic.org',
      verified: true,
    });

    // The old address is told, with the new one masked (S21).
    const [notice] = await outbox(app, 'ada@clinic.org');
    expect(notice!.subject).toMatch(/your email address was changed/);
    expect(notice!.text).toContain('changed to *****@newclinic.org');
    expect(notice!.text).toContain("If this wasn't you, contact Customer Service");
    expect(notice!.text).not.toContain('Ada@newclinic.org');

    // The new address signs in (any case); the old one no longer does.
    expect((await signIn('ada@newclinic.org')).json().status).toBe('signed_in');
    expect((await signIn('ada@clinic.org')).json().error.code).toBe('INVALID_CREDENTIALS');

    expect(await auditOf('account.email_changed')).toHaveLength(1);
    const events = (await c.get('/api/v1/account/activity')).json().events as {
      description: string;
    }[];
    expect(events.map((e) => e.description)).toContain('Email address changed');

    // The flow is done: its code cannot be used again.
    const again = await confirm(c, flow, '123456');
    expect(again.json().error.code).toBe('FLOW_NOT_FOUND');
  });

  it('needs a fresh step-up (S20)', async () => {
    await start();
    const c = await signedInClient(app, 'bo@clinic.org');
    clock.advance(6 * 60_000);
    const late = await begin(c, 'bo@newclinic.org');
    expect(late.statusCode).toBe(403);
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
    expect(await outbox(app, 'bo@newclinic.org')).toHaveLength(0);
    await stepUpByEmail(c, 'bo@clinic.org');
    expect((await begin(c, 'bo@newclinic.org')).statusCode).toBe(200);
  });

  it('refuses the current address and a malformed one with a clear error', async () => {
    await start();
    const c = await readyClient('cy@clinic.org');
    const same = await begin(c, 'CY@Clinic.org');
    expect(same.statusCode).toBe(400);
    expect(same.json().error.code).toBe('EMAIL_UNCHANGED');
    expect((await begin(c, 'not an address')).json().error.code).toBe('INVALID_EMAIL');
  });

  it('counts wrong codes (5 per code), voids the old code on resend after the cooldown', async () => {
    await start();
    const c = await readyClient('di@clinic.org');
    const { flow } = (await begin(c, 'di@newclinic.org')).json().flow;
    const first = await latestCode(app, 'di@newclinic.org');
    const wrong = first === '000000' ? '111111' : '000000';
    const left: number[] = [];
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 5; i++) {
      last = await confirm(c, flow, wrong);
      if (last.json().error.code === 'CODE_INVALID')
        left.push(last.json().error.details.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1]);
    expect(last!.json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');
    const failed = await auditOf('code.failed');
    expect(failed).toHaveLength(5);
    expect(JSON.parse(failed[0]!.details).purpose).toBe('verify_email');
    clock.advance(1_000); // S5: the account waits a second after 5 failures
    expect((await confirm(c, flow, first)).json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');

    const soon = await c.post('/api/v1/account/email/resend', { flow });
    expect(soon.statusCode).toBe(429);
    expect(soon.json().error.code).toBe('RESEND_TOO_SOON');
    clock.advance(30_000);
    const resent = await c.post('/api/v1/account/email/resend', { flow });
    expect(resent.json().flow.code.attemptsLeft).toBe(5);
    const second = await latestCode(app, 'di@newclinic.org');
    expect(second).not.toBe(first);
    expect((await confirm(c, flow, first)).json().error.code).toMatch(/^CODE_/);
    clock.advance(4_000); // the account's delay after 7 failures (S5)
    expect((await confirm(c, flow, second)).statusCode).toBe(200);
  });

  it('limits the emails one account may have sent for changes', async () => {
    await start();
    const c = await readyClient('eve@clinic.org');
    for (let i = 0; i < EMAIL_CHANGE_LIMITS.perAccountPerHour; i++)
      expect((await begin(c, `eve${i}@newclinic.org`)).statusCode).toBe(200);
    const over = await begin(c, 'one.more@newclinic.org');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('SEND_LIMIT_REACHED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('expires with its flow (15 minutes)', async () => {
    await start();
    const c = await readyClient('fay@clinic.org');
    const { flow } = (await begin(c, 'fay@newclinic.org')).json().flow;
    const code = await latestCode(app, 'fay@newclinic.org');
    clock.advance(11 * 60_000);
    expect((await confirm(c, flow, code)).json().error.code).toBe('CODE_EXPIRED');
    clock.advance(5 * 60_000);
    const gone = await confirm(c, flow, code);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('FLOW_NOT_FOUND');
    expect((await c.get('/api/v1/session')).json().user.email).toBe('fay@clinic.org');
  });

  it('belongs to the session that started it', async () => {
    await start();
    const c = await readyClient('gil@clinic.org');
    const { flow } = (await begin(c, 'gil@newclinic.org')).json().flow;
    const other = new Client(app);
    await other.post('/api/v1/sign-in', { email: 'gil@clinic.org', password: PASSWORD });
    const res = await confirm(other, flow, await latestCode(app, 'gil@newclinic.org'));
    expect(res.json().error.code).toBe('FLOW_NOT_FOUND');
  });
});

describe('an address that belongs to another account (S6)', () => {
  it('answers as for a free address; its owner is told, no code is sent, and nothing confirms', async () => {
    await start();
    await signedInClient(app, 'owner@clinic.org');
    const c = await readyClient('hal@clinic.org');

    const free = await begin(c, 'nobody@clinic.org');
    const taken = await begin(c, 'Owner@clinic.org');
    expect(taken.statusCode).toBe(free.statusCode);
    expect(shape(taken)).toEqual(shape(free));

    // The owner hears of it at their own address, without a code; the free address got its code.
    const [told] = await outbox(app, 'owner@clinic.org');
    expect(told!.subject).toMatch(/already registered/);
    expect(told!.text).not.toMatch(/\d{6}/);
    expect((await outbox(app, 'nobody@clinic.org'))[0]!.text).toMatch(/code is: \d{6}/);

    // Wrong codes: the same answers, to exhaustion. (Both flows count on the one account's
    // counter, S5; it is cleared before each pair so each try meets the same counter.)
    const freeFlow = free.json().flow.flow as string;
    const takenFlow = taken.json().flow.flow as string;
    const accountId = (await app.services.accounts.findByEmail('hal@clinic.org'))!.id;
    const fresh = () => app.services.throttle.reset(`code:${accountId}`);
    for (let i = 0; i < 5; i++) {
      await fresh();
      const a = await confirm(c, freeFlow, '000000');
      await fresh();
      const b = await confirm(c, takenFlow, '000000');
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.json()).toEqual(a.json());
    }
    // A resend answers the same, and again sends the owner no code.
    clock.advance(30_000);
    const resentFree = await c.post('/api/v1/account/email/resend', { flow: freeFlow });
    const resentTaken = await c.post('/api/v1/account/email/resend', { flow: takenFlow });
    expect(shape(resentTaken)).toEqual(shape(resentFree));
    expect((await outbox(app, 'owner@clinic.org'))[0]!.text).not.toMatch(/\d{6}/);

    // No code confirms a taken address: every try is a wrong one.
    await fresh();
    const guess = await confirm(c, takenFlow, '123456');
    expect(guess.json().error).toMatchObject({
      code: 'CODE_INVALID',
      details: { attemptsLeft: 4 },
    });
    expect((await c.get('/api/v1/session')).json().user.email).toBe('hal@clinic.org');
    expect((await signIn('owner@clinic.org')).json().status).toBe('signed_in');
    expect(await auditOf('account.email_changed')).toHaveLength(0);
    expect(await auditOf('account.email_change_refused')).toHaveLength(2);
  });

  it('refuses at the confirmation when the address was taken after the code was sent', async () => {
    await start();
    const c = await readyClient('ida@clinic.org');
    const { flow } = (await begin(c, 'late@clinic.org')).json().flow;
    const code = await latestCode(app, 'late@clinic.org');
    // Meanwhile, someone signs up with that address.
    await new Client(app).post('/api/v1/sign-up', { email: 'late@clinic.org', password: PASSWORD });
    const res = await confirm(c, flow, code);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('EMAIL_UNAVAILABLE');
    expect((await c.get('/api/v1/session')).json().user.email).toBe('ida@clinic.org');
    expect(await outbox(app, 'ida@clinic.org')).not.toContainEqual(
      expect.objectContaining({ subject: expect.stringMatching(/email address was changed/) }),
    );
  });
});

describe('concurrent confirmations', () => {
  it('change the email once when the same code is sent twice at the same moment', async () => {
    await start();
    const c = await readyClient('jo@clinic.org');
    const { flow } = (await begin(c, 'jo@newclinic.org')).json().flow;
    const code = await latestCode(app, 'jo@newclinic.org');
    const both = await Promise.all([confirm(c, flow, code), confirm(c, flow, code)]);
    const statuses = both.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(200);
    // The other finds the code spent (400) or the flow done (404 as loaded, 409 as saved).
    expect([400, 404, 409]).toContain(statuses[1]);
    expect(await auditOf('account.email_changed')).toHaveLength(1);
    expect(
      (await outbox(app, 'jo@clinic.org')).filter((m) => /was changed/.test(m.subject ?? '')),
    ).toHaveLength(1);
  });
});
