/**
 * S9, S17, S23 under the default `email-first` policy: an administrator signs in with the
 * password (and the emailed code that verifies the address), so the session starts at AAL1. A
 * step-up with a second factor the admin already holds — the authenticator app, a phone code or
 * a passkey — raises the session to AAL2 (two distinct factors), and the admin API opens. A
 * step-up with an email code never does (S9): the admin API stays `403 AAL2_REQUIRED`, with a
 * hint in `details` of the step-up that would raise it.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal1, type AdminClient } from '../helpers/admin.js';
import { latestCode, type Client } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { addPasskey, ORIGIN, stepUpWithPasskey } from '../helpers/passkeys.js';
import { appCode, enrolTotp, stepUpByEmail } from '../helpers/totp.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start() {
  clock = new FakeClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  app = await build({ config: testConfig(), clock });
}

const MOBILE = '+14155552671';

const invite = (c: Client) =>
  c.post('/api/v1/admin/invitations', { email: 'new.hire@clinic.org', role: 'user' });

async function session(c: Client) {
  const s = (await c.get('/api/v1/session')).json().session;
  return { aal: s.aal as string, amr: (s.amr as { method: string }[]).map((m) => m.method) };
}

/** An email-first administrator, signed in with the password and stepped up by email. */
async function adminWithEmailStepUp(): Promise<AdminClient> {
  const admin = await adminAtAal1(app, 'root@clinic.org');
  await stepUpByEmail(admin.c, admin.email);
  return admin;
}

describe('email-first: a step-up with a second factor gives the administrator AAL2', () => {
  it('the authenticator app: pwd + otp is AAL2, and the admin API answers', async () => {
    await start();
    const { c } = await adminWithEmailStepUp();
    const key = await enrolTotp(c, clock);
    expect(await session(c)).toEqual({ aal: 'aal1', amr: ['pwd', 'email'] });
    expect((await invite(c)).json().error.code).toBe('AAL2_REQUIRED');

    const started = await c.post('/api/v1/step-up/start', { channel: 'totp' });
    const before = c.cookie;
    const verified = await c.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code: appCode(key, clock.now()),
    });
    expect(verified.statusCode).toBe(200);
    expect(c.cookie).not.toBe(before); // S17: a new token at the assurance change
    expect(await session(c)).toEqual({ aal: 'aal2', amr: ['pwd', 'email', 'otp'] });
    expect((await invite(c)).statusCode).toBe(201);
  });

  it('a code by text to the phone: pwd + sms is AAL2', async () => {
    await start();
    const { c } = await adminWithEmailStepUp();
    const sent = await c.post('/api/v1/phone/start', { phone: MOBILE, channel: 'sms' });
    await c.post('/api/v1/phone/confirm', {
      flow: sent.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    expect((await session(c)).aal).toBe('aal1'); // a phone just added vouches for nothing yet

    clock.advance(31_000);
    const started = await c.post('/api/v1/step-up/start', { channel: 'sms' });
    await c.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    expect(await session(c)).toEqual({ aal: 'aal2', amr: ['pwd', 'email', 'sms'] });
    expect((await invite(c)).statusCode).toBe(201);
  });

  it('a passkey: pwd + hwk is AAL2', async () => {
    await start();
    const { c } = await adminWithEmailStepUp();
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(c, authenticator);
    expect((await session(c)).aal).toBe('aal1');

    expect((await stepUpWithPasskey(c, authenticator)).statusCode).toBe(200);
    const after = await session(c);
    expect(after.aal).toBe('aal2');
    expect(after.amr).toContain('hwk');
    expect((await invite(c)).statusCode).toBe(201);
  });
});

describe('email-first: an email code never raises the session (S9)', () => {
  it('keeps AAL1 after an email step-up; the refusal says which step-up would do', async () => {
    await start();
    const { c } = await adminWithEmailStepUp();
    const key = await enrolTotp(c, clock);
    clock.advance(6 * 60_000);
    await stepUpByEmail(c, 'root@clinic.org');
    await stepUpByEmail(c, 'root@clinic.org'); // twice is still one factor besides the password
    expect(await session(c)).toEqual({ aal: 'aal1', amr: ['pwd', 'email', 'email', 'email'] });

    const refused = await invite(c);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toEqual({
      code: 'AAL2_REQUIRED',
      message: expect.stringContaining('authenticator app') as unknown,
      details: { stepUp: '/api/v1/step-up/start', methods: 'totp' },
    });
    // The hint is one the page can act on: that step-up, with that method, opens the admin API.
    const { stepUp, methods } = refused.json().error.details;
    const started = await c.post(stepUp, { channel: methods.split(',')[0] });
    await c.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code: appCode(key, clock.now()),
    });
    expect((await invite(c)).statusCode).toBe(201);
  });

  it('an administrator with no second factor is told to add one first', async () => {
    await start();
    const { c } = await adminWithEmailStepUp();
    const refused = await c.get('/api/v1/admin/policy');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'AAL2_REQUIRED',
      details: { stepUp: '/api/v1/step-up/start', methods: '' },
    });
    expect(refused.json().error.message).toMatch(/add .*security page/i);
  });
});
