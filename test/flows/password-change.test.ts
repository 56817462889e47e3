/**
 * Changing the password while signed in (issue 6; S5, S20, S21): a fresh step-up and the current
 * password, the sign-up rules for the new one, other sessions ended on request, and a notice.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, outbox, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start() {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
}
const NEW_PASSWORD = 'orchard pewter signal harbour';
const change = (c: Client, body: object) => c.post('/api/v1/account/password', body);

describe('changing the password from the account page', () => {
  it('takes the current password and a new one, ends the other sessions when asked, and tells the user', async () => {
    await start();
    const laptop = await signedInClient(app, 'ada@clinic.org');
    await stepUpByEmail(laptop, 'ada@clinic.org');
    const desk = new Client(app);
    await desk.post('/api/v1/sign-in', { email: 'ada@clinic.org', password: PASSWORD });

    const res = await change(laptop, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      endOtherSessions: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sessionsEnded: 1 });
    expect((await laptop.get('/api/v1/session')).statusCode).toBe(200);
    expect((await desk.get('/api/v1/session')).statusCode).toBe(401);

    const old = await new Client(app).post('/api/v1/sign-in', {
      email: 'ada@clinic.org',
      password: PASSWORD,
    });
    expect(old.json().error.code).toBe('INVALID_CREDENTIALS');
    const fresh = await new Client(app).post('/api/v1/sign-in', {
      email: 'ada@clinic.org',
      password: NEW_PASSWORD,
    });
    expect(fresh.json().status).toBe('signed_in');

    const [notice] = await outbox(app, 'ada@clinic.org');
    expect(notice!.text).toContain(
      'Your password was changed. You were signed out on your other devices.',
    );
    expect(notice!.text).not.toContain(NEW_PASSWORD);
  });

  it('keeps the other sessions unless asked', async () => {
    await start();
    const laptop = await signedInClient(app, 'bo@clinic.org');
    await stepUpByEmail(laptop, 'bo@clinic.org');
    const desk = new Client(app);
    await desk.post('/api/v1/sign-in', { email: 'bo@clinic.org', password: PASSWORD });
    const res = await change(laptop, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      endOtherSessions: false,
    });
    expect(res.json()).toEqual({ sessionsEnded: 0 });
    expect((await desk.get('/api/v1/session')).statusCode).toBe(200);
  });

  it('refuses a wrong current password, counting it with the sign-in failures (S5)', async () => {
    await start();
    const c = await signedInClient(app, 'cy@clinic.org');
    await stepUpByEmail(c, 'cy@clinic.org');
    for (let i = 0; i < 5; i++) {
      const wrong = await change(c, {
        currentPassword: 'not my password at all',
        newPassword: NEW_PASSWORD,
        endOtherSessions: false,
      });
      expect(wrong.json().error.code).toBe('CURRENT_PASSWORD_INVALID');
    }
    // The sixth try waits, here and at the sign-in page alike.
    const waiting = await new Client(app).post('/api/v1/sign-in', {
      email: 'cy@clinic.org',
      password: PASSWORD,
    });
    expect(waiting.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    clock.advance(2_000);
    expect(
      (
        await change(c, {
          currentPassword: PASSWORD,
          newPassword: 'short',
          endOtherSessions: false,
        })
      ).json().error.code,
    ).toBe('PASSWORD_TOO_SHORT');
    // Nothing changed.
    clock.advance(2_000);
    const same = await new Client(app).post('/api/v1/sign-in', {
      email: 'cy@clinic.org',
      password: PASSWORD,
    });
    expect(same.json().status).toBe('signed_in');
  });

  it('needs a fresh step-up (S20): after the window, verify again first', async () => {
    await start();
    const c = await signedInClient(app, 'di@clinic.org');
    clock.advance(6 * 60_000);
    const late = await change(c, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      endOtherSessions: false,
    });
    expect(late.statusCode).toBe(403);
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUpByEmail(c, 'di@clinic.org');
    const ok = await change(c, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      endOtherSessions: false,
    });
    expect(ok.statusCode).toBe(200);
  });

  it('shows up in the recent security activity, with failed sign-ins, newest first', async () => {
    await start();
    const c = await signedInClient(app, 'eli@clinic.org');
    await new Client(app).post('/api/v1/sign-in', {
      email: 'eli@clinic.org',
      password: 'a wrong password typed',
    });
    await stepUpByEmail(c, 'eli@clinic.org');
    clock.advance(1_000);
    await change(c, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      endOtherSessions: false,
    });
    const res = await c.get('/api/v1/account/activity');
    expect(res.headers['cache-control']).toContain('no-store');
    const events = res.json().events as {
      action: string;
      description: string;
      methods: string | null;
    }[];
    expect(events[0]).toMatchObject({
      action: 'account.password_changed',
      description: 'Password changed',
    });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'sign_in.failed',
        'sign_in.succeeded',
        'account.email_verified',
        'step_up.succeeded',
      ]),
    );
    expect(events.find((e) => e.action === 'sign_in.succeeded')?.methods).toBe('pwd');
    // Another account's events never show.
    const other = await signedInClient(app, 'fox@clinic.org');
    const theirs = (await other.get('/api/v1/account/activity')).json().events as {
      action: string;
    }[];
    expect(theirs.some((e) => e.action === 'account.password_changed')).toBe(false);
  });
});
