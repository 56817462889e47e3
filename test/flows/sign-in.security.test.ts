import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, finishSignIn, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
});
afterEach(() => app.close());

const signIn = (c: Client, email: string, password: string) =>
  c.post('/api/v1/sign-in', { email, password });

describe('S5: consecutive failures are throttled per account, then locked', () => {
  it('allows five free tries, then makes each wait longer, whatever the IP', async () => {
    await signedInClient(app, 'ava@clinic.org');
    for (let i = 0; i < 5; i++) {
      const ip = `203.0.113.${i}`;
      const r = await new Client(app, { 'x-forwarded-for': ip }).post('/api/v1/sign-in', {
        email: 'ava@clinic.org',
        password: 'wrong password ' + i,
      });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await signIn(new Client(app), 'ava@clinic.org', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(blocked.headers['retry-after']).toBe('1');

    clock.advance(1000);
    expect((await signIn(new Client(app), 'ava@clinic.org', 'wrong again, sixth')).statusCode).toBe(
      401,
    );
    const longer = await signIn(new Client(app), 'ava@clinic.org', PASSWORD);
    expect(longer.headers['retry-after']).toBe('2');
  });

  it('a success resets the counter', async () => {
    await signedInClient(app, 'bo@clinic.org');
    for (let i = 0; i < 4; i++) await signIn(new Client(app), 'bo@clinic.org', 'not the password');
    expect((await signIn(new Client(app), 'bo@clinic.org', PASSWORD)).json().status).toBe(
      'signed_in',
    );
    for (let i = 0; i < 4; i++)
      expect((await signIn(new Client(app), 'bo@clinic.org', 'not the password')).statusCode).toBe(
        401,
      );
  });

  it('locks the account after 100 consecutive failures, even with the right password later', async () => {
    await signedInClient(app, 'cy@clinic.org');
    for (let i = 0; i < 100; i++) {
      clock.advance(16 * 60_000); // past the longest delay, so each try is counted
      await signIn(new Client(app), 'cy@clinic.org', 'guess number ' + i);
    }
    clock.advance(24 * 3_600_000);
    const locked = await signIn(new Client(app), 'cy@clinic.org', PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
  });
});

describe('S6: no answer tells whether an account exists', () => {
  it('answers an unknown email exactly like a wrong password', async () => {
    await signedInClient(app, 'dee@clinic.org');
    const known = await signIn(new Client(app), 'dee@clinic.org', 'wrong password here');
    const unknown = await signIn(new Client(app), 'nobody@clinic.org', 'wrong password here');
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
  });

  it('throttles unknown emails just like known ones', async () => {
    for (let i = 0; i < 5; i++)
      await signIn(new Client(app), 'ghost@clinic.org', 'wrong password ' + i);
    const r = await signIn(new Client(app), 'ghost@clinic.org', 'wrong password again');
    expect(r.statusCode).toBe(429);
  });

  it('answers sign-up the same for a taken and a free email, and emails the owner instead', async () => {
    await signedInClient(app, 'eli@clinic.org');
    const taken = await new Client(app).post('/api/v1/sign-up', {
      email: 'ELI@clinic.org',
      password: 'another fine passphrase',
    });
    const free = await new Client(app).post('/api/v1/sign-up', {
      email: 'fay@clinic.org',
      password: 'another fine passphrase',
    });
    expect(taken.statusCode).toBe(free.statusCode);
    expect(taken.body).toBe(free.body);
    const mail = (
      await app.inject({ method: 'GET', url: '/api/v1/dev/outbox?to=eli@clinic.org' })
    ).json().messages[0];
    expect(mail.subject).toContain('someone tried to create an account');
    // (To the owner's own address, eli@, not the one typed.) The original password still works;
    // the attempt changed nothing.
    expect((await signIn(new Client(app), 'eli@clinic.org', PASSWORD)).json().status).toBe(
      'signed_in',
    );
  });
  // The equal cost of an unknown email is checked by structure, not by a stopwatch:
  // test/flows/sign-in.cost.security.test.ts counts the argon2id verifications.
});

describe('S17: sessions rotate, idle out and expire', () => {
  it('issues a new token at every sign-in', async () => {
    const c = await signedInClient(app, 'hal@clinic.org');
    const first = c.cookie;
    await signIn(c, 'hal@clinic.org', PASSWORD);
    expect(c.cookie).toBeDefined();
    expect(c.cookie).not.toBe(first);
  });

  it('ends a session after 30 idle minutes', async () => {
    const c = await signedInClient(app, 'ida@clinic.org');
    clock.advance(29 * 60_000);
    expect((await c.get('/api/v1/session')).statusCode).toBe(200);
    clock.advance(29 * 60_000); // activity above kept it alive
    expect((await c.get('/api/v1/session')).statusCode).toBe(200);
    clock.advance(30 * 60_000);
    const idle = await c.get('/api/v1/session');
    expect(idle.statusCode).toBe(401);
    expect(c.cookie).toBeUndefined(); // the stale cookie is cleared
  });

  it('ends a session 12 hours after sign-in, however active', async () => {
    const c = await signedInClient(app, 'jo@clinic.org');
    for (let h = 0; h < 23; h++) {
      clock.advance(30 * 60_000 - 1000);
      if (h < 23) await c.get('/api/v1/session');
    }
    clock.advance(60 * 60_000);
    expect((await c.get('/api/v1/session')).statusCode).toBe(401);
  });

  it('stores only a hash of the token', async () => {
    const c = await signedInClient(app, 'kai@clinic.org');
    const token = c.cookie!.split('=')[1]!;
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const rows = await app.services.store.db.selectFrom('sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('S19: users see and end their sessions; disabling a user ends them all', () => {
  it('lists sessions, ends another one, and ends all others', async () => {
    const laptop = await signedInClient(app, 'lu@clinic.org', { 'user-agent': 'Laptop' });
    const phone = new Client(app, { 'user-agent': 'Phone' });
    await signIn(phone, 'lu@clinic.org', PASSWORD);
    const tablet = new Client(app, { 'user-agent': 'Tablet' });
    await signIn(tablet, 'lu@clinic.org', PASSWORD);

    const list = (await laptop.get('/api/v1/sessions')).json().sessions;
    expect(list).toHaveLength(3);
    expect(list.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const phoneId = list.find((s: { userAgent: string }) => s.userAgent === 'Phone').id;

    expect((await laptop.delete(`/api/v1/sessions/${phoneId}`)).statusCode).toBe(204);
    expect((await phone.get('/api/v1/session')).statusCode).toBe(401);

    expect((await laptop.post('/api/v1/sessions/end-others')).json()).toEqual({ ended: 1 });
    expect((await tablet.get('/api/v1/session')).statusCode).toBe(401);
    expect((await laptop.get('/api/v1/session')).statusCode).toBe(200);
  });

  it("cannot end another user's session (same answer as a missing one)", async () => {
    const mo = await signedInClient(app, 'mo@clinic.org');
    const ned = await signedInClient(app, 'ned@clinic.org');
    const nedSession = (await ned.get('/api/v1/session')).json().session.id;
    const r = await mo.delete(`/api/v1/sessions/${nedSession}`);
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('SESSION_NOT_FOUND');
    expect((await ned.get('/api/v1/session')).statusCode).toBe(200);
  });

  it('a disabled account is signed out everywhere at once and cannot sign in', async () => {
    const c = await signedInClient(app, 'ola@clinic.org');
    await app.services.store.db
      .updateTable('accounts')
      .set({ state: 'disabled' })
      .where('email_normalized', '=', 'ola@clinic.org')
      .execute();
    expect((await c.get('/api/v1/session')).statusCode).toBe(401);
    const r = await signIn(new Client(app), 'ola@clinic.org', PASSWORD);
    expect(r.json().error.code).toBe('ACCOUNT_DISABLED');
  });
});

describe('S23: admin routes', () => {
  it('refuse a non-admin, and an admin without an AAL2 session', async () => {
    const user = await signedInClient(app, 'pat@clinic.org');
    expect(
      (await user.post('/api/v1/admin/invitations', { email: 'x@clinic.org', role: 'user' })).json()
        .error.code,
    ).toBe('ADMIN_REQUIRED');
    const { link } = await app.services.accounts.invite({
      email: 'root@clinic.org',
      role: 'admin',
      invitedBy: null,
      send: false,
    });
    await new Client(app).post('/api/v1/invitations/accept', {
      token: new URL(link).searchParams.get('token'),
      password: PASSWORD,
    });
    const admin = new Client(app);
    await finishSignIn(admin, await signIn(admin, 'root@clinic.org', PASSWORD), 'root@clinic.org');
    const r = await admin.post('/api/v1/admin/invitations', {
      email: 'x@clinic.org',
      role: 'user',
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('AAL2_REQUIRED');
    expect(
      (
        await new Client(app).post('/api/v1/admin/invitations', {
          email: 'x@clinic.org',
          role: 'user',
        })
      ).statusCode,
    ).toBe(401);
  });
});
