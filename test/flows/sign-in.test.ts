import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, latestCode, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
});
afterEach(() => app.close());

describe('a new user signs up, verifies their email at first sign-in, and signs out', () => {
  it('walks the whole story', async () => {
    const c = new Client(app);
    const signUp = await c.post('/api/v1/sign-up', {
      email: ' Dana.Ruiz@Clinic.ORG ',
      password: PASSWORD,
    });
    expect(signUp.statusCode).toBe(202);

    // "During your initial log in, you will be prompted to verify your email address first."
    const start = await c.post('/api/v1/sign-in', {
      email: 'dana.ruiz@clinic.org',
      password: PASSWORD,
    });
    expect(start.statusCode).toBe(200);
    const { flow } = start.json();
    expect(start.json().status).toBe('continue');
    expect(flow.step).toBe('verify_email');
    expect(flow.destination).toBe('*****@clinic.org');
    expect(flow.code).toMatchObject({ length: 6, validForSeconds: 600, attemptsLeft: 5 });
    expect(c.cookie).toBeUndefined();

    const mail = (
      await app.inject({ method: 'GET', url: '/api/v1/dev/outbox?to=Dana.Ruiz@clinic.org' })
    ).json().messages[0];
    expect(mail.subject).toBe('Your Spectera Provider Portal verification code');
    expect(mail.text).toMatch(/^Your Spectera Provider Portal verification code is: \d{6}\n/);
    expect(mail.text).toContain("If you didn't initiate this request, contact Customer Service.");

    const verified = await c.post('/api/v1/sign-in/verify-email', {
      flow: flow.flow,
      code: await latestCode(app, 'Dana.Ruiz@clinic.org'),
    });
    // Seed 000: then the Two-Factor Authentication page offers a phone, with "Skip for Now".
    expect(verified.json().flow).toMatchObject({
      step: 'enrol_phone',
      skippable: true,
      phoneDefaultCountry: 'US',
    });
    const done = await c.post('/api/v1/sign-in/skip', { flow: flow.flow });
    expect(done.statusCode).toBe(200);
    expect(done.json().status).toBe('signed_in');
    expect(done.json().user).toMatchObject({
      email: 'Dana.Ruiz@clinic.org',
      emailVerified: true,
      role: 'user',
      state: 'active',
    });
    expect(done.json().session.aal).toBe('aal1');
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual(['pwd']);

    const me = await c.get('/api/v1/session');
    expect(me.statusCode).toBe(200);
    expect(me.json().user.emailVerified).toBe(true);

    expect((await c.post('/api/v1/sign-out')).statusCode).toBe(204);
    expect(c.cookie).toBeUndefined();

    // The next sign-in needs no email code: the address is verified.
    const again = await c.post('/api/v1/sign-in', {
      email: 'dana.ruiz@clinic.org',
      password: PASSWORD,
    });
    expect(again.json().status).toBe('signed_in');
  });

  it('ends the session server-side at sign-out: the old cookie no longer works', async () => {
    const c = await signedInClient(app, 'eve@clinic.org');
    const stolen = c.cookie!;
    await c.post('/api/v1/sign-out');
    const replay = await app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: stolen },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('UNAUTHENTICATED');
  });
});

describe('verifying the email code', () => {
  async function started(email = 'kim@clinic.org') {
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email, password: PASSWORD });
    const res = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
    return { c, flow: res.json().flow.flow as string, email };
  }

  it('says how many tries are left after a wrong code, and refuses the fifth wrong try for good', async () => {
    const { c, flow, email } = await started();
    const right = await latestCode(app, email);
    const wrong = right === '000000' ? '111111' : '000000';
    for (const left of [4, 3, 2, 1]) {
      const r = await c.post('/api/v1/sign-in/verify-email', { flow, code: wrong });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatchObject({
        code: 'CODE_INVALID',
        details: { attemptsLeft: left },
      });
      expect(r.json().error.message).toBe(
        `That code is not right. ${left === 1 ? '1 try' : `${left} tries`} left.`,
      );
    }
    const fifth = await c.post('/api/v1/sign-in/verify-email', { flow, code: wrong });
    expect(fifth.json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');
    // Five failures also start the account's growing delay (S5)…
    const throttled = await c.post('/api/v1/sign-in/verify-email', { flow, code: right });
    expect(throttled.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    // …and once it has passed, the spent code still does not work, right or not.
    clock.advance(1000);
    const tooLate = await c.post('/api/v1/sign-in/verify-email', { flow, code: right });
    expect(tooLate.json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');
  });

  it('refuses an expired code and accepts the new one after "Resend code"', async () => {
    const { c, flow, email } = await started();
    const old = await latestCode(app, email);
    clock.advance(10 * 60_000);
    const expired = await c.post('/api/v1/sign-in/verify-email', { flow, code: old });
    expect(expired.json().error).toMatchObject({
      code: 'CODE_EXPIRED',
      message: 'That code has expired. Send a new code.',
    });

    const resent = await c.post('/api/v1/sign-in/resend-code', { flow });
    expect(resent.statusCode).toBe(200);
    const fresh = await latestCode(app, email);
    const ok = await c.post('/api/v1/sign-in/verify-email', { flow, code: fresh });
    expect(ok.json().flow.step).toBe('enrol_phone');
  });

  it('voids the old code when a new one is sent, and holds resends to a 30-second cooldown', async () => {
    const { c, flow, email } = await started();
    const first = await latestCode(app, email);
    const tooSoon = await c.post('/api/v1/sign-in/resend-code', { flow });
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.headers['retry-after']).toBe('30');
    expect(tooSoon.json().error).toMatchObject({
      code: 'RESEND_TOO_SOON',
      details: { retryAfterSeconds: 30 },
    });

    clock.advance(30_000);
    expect((await c.post('/api/v1/sign-in/resend-code', { flow })).statusCode).toBe(200);
    const second = await latestCode(app, email);
    if (second !== first) {
      const old = await c.post('/api/v1/sign-in/verify-email', { flow, code: first });
      expect(old.json().error.code).toBe('CODE_INVALID');
    }
    const ok = await c.post('/api/v1/sign-in/verify-email', { flow, code: second });
    expect(ok.json().flow.step).toBe('enrol_phone');
  });

  it('uses a code once: the same flow cannot be completed twice', async () => {
    const { c, flow, email } = await started();
    const code = await latestCode(app, email);
    const [a, b] = await Promise.all([
      c.post('/api/v1/sign-in/verify-email', { flow, code }),
      new Client(app).post('/api/v1/sign-in/verify-email', { flow, code }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    // The flow moved on once: it is at the next step, not further.
    const view = await c.post('/api/v1/sign-in/flow', { flow });
    expect(view.json().flow.step).toBe('enrol_phone');
  });

  it('lets the page reload the current step, and forgets a flow after 15 minutes', async () => {
    const { c, flow } = await started();
    const view = await c.post('/api/v1/sign-in/flow', { flow });
    expect(view.json().flow.step).toBe('verify_email');
    clock.advance(15 * 60_000);
    const gone = await c.post('/api/v1/sign-in/flow', { flow });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('FLOW_NOT_FOUND');
  });
});

describe('invitations', () => {
  it('an invited user sets a password with the link, then signs in and verifies their email', async () => {
    const { link } = await app.services.accounts.invite({
      email: 'new.hire@clinic.org',
      role: 'user',
      invitedBy: null,
      send: false,
    });
    const token = new URL(link).searchParams.get('token')!;
    const c = new Client(app);
    const look = await c.post('/api/v1/invitations/lookup', { token });
    expect(look.json().email).toBe('new.hire@clinic.org');

    // Before accepting, the account cannot sign in.
    expect(
      (await c.post('/api/v1/sign-in', { email: 'new.hire@clinic.org', password: PASSWORD }))
        .statusCode,
    ).toBe(401);

    const weak = await c.post('/api/v1/invitations/accept', { token, password: 'password1234' });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_COMMON');
    expect(
      (await c.post('/api/v1/invitations/accept', { token, password: PASSWORD })).statusCode,
    ).toBe(200);
    expect(
      (await c.post('/api/v1/invitations/accept', { token, password: PASSWORD })).json().error.code,
    ).toBe('INVITATION_INVALID');

    const start = await c.post('/api/v1/sign-in', {
      email: 'new.hire@clinic.org',
      password: PASSWORD,
    });
    expect(start.json().flow.step).toBe('verify_email');
  });

  it('an invitation link expires', async () => {
    const { link } = await app.services.accounts.invite({
      email: 'late@clinic.org',
      role: 'user',
      invitedBy: null,
      send: false,
    });
    clock.advance(72 * 3_600_000);
    const res = await new Client(app).post('/api/v1/invitations/lookup', {
      token: new URL(link).searchParams.get('token')!,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('INVITATION_INVALID');
  });

  it('sign-up can be switched off, leaving invitations as the way in', async () => {
    const closed = await build({ config: testConfig({ SELF_SIGN_UP: 'false' }), clock });
    const res = await new Client(closed).post('/api/v1/sign-up', {
      email: 'x@clinic.org',
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('SIGN_UP_DISABLED');
    await closed.close();
  });
});

describe('specific errors a user can act on', () => {
  it.each([
    [{ email: 'not-an-email', password: PASSWORD }, 'INVALID_EMAIL'],
    [{ email: 'a@clinic.org', password: 'short' }, 'PASSWORD_TOO_SHORT'],
    [{ email: 'a@clinic.org', password: 'password1234' }, 'PASSWORD_TOO_COMMON'],
    [{ email: 'ann.lee@clinic.org', password: 'ann.lee rules the clinic' }, 'PASSWORD_HAS_CONTEXT'],
  ])('sign-up %j → %s', async (body, code) => {
    const res = await new Client(app).post('/api/v1/sign-up', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });
});
