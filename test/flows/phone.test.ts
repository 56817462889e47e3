/**
 * The phone factor as the seeds tell it (issue 3): seed 002's first sign-in registers a phone and
 * sends the user back to sign in again, then every sign-in needs a six-digit SMS code, with
 * "Send code to email" as the fallback; seed 000 adds a phone from the account's Security page
 * after verifying by email. Codes are valid 60 seconds; a landline gets calls only.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Sender } from '../../src/delivery/sender.js';
import {
  Client,
  finishSignIn,
  latestCode,
  PASSWORD,
  signedInClient,
  outbox as outboxFor,
} from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';

const MOBILE = '+447546123456';
const NEW_MOBILE = '+447400123456';
const LANDLINE = '+442079460123';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}, senders?: Sender[], now?: number) {
  clock = new FakeClock(now);
  app = await build({ config: testConfig(env), clock, ...(senders ? { senders } : {}) });
}
const smsRequired = { PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' };

const outbox = (to: string) => outboxFor(app, to);

/** Seed 002's first sign-in, up to the "Update Phone Number" screen. */
async function firstSignIn(email: string) {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const started = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
  const flow = started.json().flow.flow as string;
  const verified = await c.post('/api/v1/sign-in/verify-email', {
    flow,
    code: await latestCode(app, email),
  });
  return { c, flow, view: verified.json() };
}

describe('seed 002: first sign-in registers the phone, then every sign-in needs an SMS code', () => {
  it('walks registration → sign in again → SMS code → AAL2 session', async () => {
    await start(smsRequired);
    const { c, flow, view } = await firstSignIn('ana@clinic.co.uk');
    expect(view.flow).toMatchObject({
      step: 'enrol_phone',
      skippable: false,
      phoneDefaultCountry: 'GB',
    });

    // "enter your mobile number in international format … Click Send Verification Code."
    const sent = await c.post('/api/v1/sign-in/phone', {
      flow,
      phone: '07546 123456',
      channel: 'sms',
    });
    expect(sent.json().flow).toMatchObject({ step: 'confirm_phone', destination: '•••• ••• 456' });
    expect(sent.json().flow.code).toMatchObject({ channel: 'sms', length: 6, validForSeconds: 60 });
    const [sms] = await outbox(MOBILE);
    expect(sms?.text).toMatch(/^Your Spectera Provider Portal verification code is: \d{6}\./);

    // "Enter the code and click Verify Code. You are returned to the login screen to log in again."
    const registered = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, MOBILE),
    });
    expect(registered.json()).toEqual({
      status: 'restart',
      message: 'Your phone number is verified. Sign in again to continue.',
    });
    expect(c.cookie).toBeUndefined();

    // "Enter your Email and Password … A six-digit code is sent to your registered phone number via SMS."
    const again = await c.post('/api/v1/sign-in', {
      email: 'ana@clinic.co.uk',
      password: PASSWORD,
    });
    // The email route answers for the email step only.
    const wrongRoute = await c.post('/api/v1/sign-in/verify-email', {
      flow: again.json().flow.flow,
      code: '123456',
    });
    expect(wrongRoute.json().error.code).toBe('FLOW_STATE_CONFLICT');
    expect(again.json().flow).toMatchObject({
      step: 'second_factor',
      destination: '•••• ••• 456',
      channels: ['sms', 'voice', 'email'],
    });
    const done = await c.post('/api/v1/sign-in/verify-code', {
      flow: again.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    expect(done.json().status).toBe('signed_in');
    expect(done.json().session.aal).toBe('aal2');
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'sms',
    ]);
  });

  it('"Send code to email" signs in too, but never at AAL2 (S9)', async () => {
    await start(smsRequired);
    const { c, flow } = await firstSignIn('ben@clinic.co.uk');
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    await c.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, MOBILE) });

    const again = await c.post('/api/v1/sign-in', {
      email: 'ben@clinic.co.uk',
      password: PASSWORD,
    });
    const second = again.json().flow.flow;
    const switched = await c.post('/api/v1/sign-in/resend-code', {
      flow: second,
      channel: 'email',
    });
    expect(switched.json().flow).toMatchObject({
      destination: '*****@clinic.co.uk',
      channels: ['email', 'sms', 'voice'],
    });
    expect(switched.json().flow.code.validForSeconds).toBe(600);
    const done = await c.post('/api/v1/sign-in/verify-code', {
      flow: second,
      code: await latestCode(app, 'ben@clinic.co.uk'),
    });
    expect(done.json().session.aal).toBe('aal1');
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'email',
    ]);
  });

  it('cannot be skipped when the policy requires the phone', async () => {
    await start(smsRequired);
    const { c, flow } = await firstSignIn('cal@clinic.co.uk');
    const skipped = await c.post('/api/v1/sign-in/skip', { flow });
    expect(skipped.json().error.code).toBe('FLOW_STATE_CONFLICT');
  });

  it('gives a landline calls only, reading the code digit by digit', async () => {
    await start(smsRequired);
    const { c, flow } = await firstSignIn('dee@clinic.co.uk');
    const text = await c.post('/api/v1/sign-in/phone', { flow, phone: LANDLINE, channel: 'sms' });
    expect(text.json().error.code).toBe('CHANNEL_NOT_AVAILABLE');
    const call = await c.post('/api/v1/sign-in/phone', { flow, phone: LANDLINE, channel: 'voice' });
    expect(call.json().flow).toMatchObject({ step: 'confirm_phone', channels: ['voice'] });
    const [voice] = await outbox(LANDLINE);
    expect(voice?.channel).toBe('voice');
    expect(voice?.text).toMatch(/code is: \d, \d, \d, \d, \d, \d\./);
    await c.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, LANDLINE) });

    const again = await c.post('/api/v1/sign-in', {
      email: 'dee@clinic.co.uk',
      password: PASSWORD,
    });
    expect(again.json().flow).toMatchObject({
      step: 'second_factor',
      channels: ['voice', 'email'],
    });
    const done = await c.post('/api/v1/sign-in/verify-code', {
      flow: again.json().flow.flow,
      code: await latestCode(app, LANDLINE),
    });
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'tel',
    ]);
  });

  it.each([
    ['+1 212 555 0100 ext. 12', 'PHONE_EXTENSION_NOT_ALLOWED'],
    ['+33 6 12 34 56 78', 'PHONE_COUNTRY_NOT_ALLOWED'],
    ['+44 909 879 0000', 'PHONE_TYPE_NOT_SUPPORTED'],
    ['not a number', 'PHONE_INVALID'],
  ])('refuses %s with %s', async (phone, code) => {
    await start(smsRequired);
    const { c, flow } = await firstSignIn('eve@clinic.co.uk');
    const res = await c.post('/api/v1/sign-in/phone', { flow, phone, channel: 'sms' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });
});

describe('codes sent by text (S8, S10)', () => {
  async function atSecondFactor(email: string) {
    const { c, flow } = await firstSignIn(email);
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    await c.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, MOBILE) });
    const again = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
    return { c, flow: again.json().flow.flow as string };
  }

  it('expire after 60 seconds, and "Resend code" voids the old one', async () => {
    await start(smsRequired);
    const { c, flow } = await atSecondFactor('fay@clinic.co.uk');
    const old = await latestCode(app, MOBILE);
    clock.advance(60_000);
    expect(
      (await c.post('/api/v1/sign-in/verify-code', { flow, code: old })).json().error.code,
    ).toBe('CODE_EXPIRED');
    expect((await c.post('/api/v1/sign-in/resend-code', { flow })).statusCode).toBe(200);
    const fresh = await latestCode(app, MOBILE);
    if (fresh !== old)
      expect(
        (await c.post('/api/v1/sign-in/verify-code', { flow, code: old })).json().error.code,
      ).toBe('CODE_INVALID');
    expect((await c.post('/api/v1/sign-in/verify-code', { flow, code: fresh })).json().status).toBe(
      'signed_in',
    );
  });

  it('stop at five per number per ten minutes, with Retry-After', async () => {
    await start(smsRequired);
    const { c, flow } = await atSecondFactor('gus@clinic.co.uk');
    // Already sent to this number: registration code + this sign-in's code = 2.
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      expect((await c.post('/api/v1/sign-in/resend-code', { flow })).statusCode).toBe(200);
    }
    clock.advance(30_000);
    const refused = await c.post('/api/v1/sign-in/resend-code', { flow });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('SEND_LIMIT_REACHED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The email fallback is not a text: still available.
    expect(
      (await c.post('/api/v1/sign-in/resend-code', { flow, channel: 'email' })).statusCode,
    ).toBe(200);
  });

  it('tell the user what else they can do when the provider fails', async () => {
    const failing: Sender = {
      channel: 'sms',
      provider: 'broken',
      send: async () => {
        throw new Error('provider down');
      },
    };
    await start(smsRequired, [failing]);
    const { c, flow } = await firstSignIn('hal@clinic.co.uk');
    const res = await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({ code: 'DELIVERY_FAILED' });
    expect(res.json().error.message).toBe(
      'We could not send the text message with your code. Try again, or choose "Call me".',
    );
    const call = await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'voice' });
    expect(call.statusCode).toBe(200);
  });
});

describe('seed 000: adding a phone from Account Management → Security', () => {
  async function stepUpByEmail(c: Client, email: string) {
    const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
    expect(started.json().flow.destination).toBe(`*****@${email.split('@')[1]}`);
    return c.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code: await latestCode(app, email),
    });
  }

  it('verifies by email first, confirms the new number by code, saves it only then, and tells the user', async () => {
    await start();
    const c = await signedInClient(app, 'ivy@clinic.org');
    const before = await c.get('/api/v1/account/security');
    expect(before.json()).toMatchObject({
      policy: 'email-first',
      email: { address: '*****@clinic.org', verified: true },
      phone: null,
      stepUp: { validUntil: null, methods: ['email'] },
    });

    // "You will be required to verify your identity via email to make this update."
    const refused = await c.post('/api/v1/phone/start', {
      phone: '+1 415 555 2671',
      channel: 'sms',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('STEP_UP_REQUIRED');

    const oldCookie = c.cookie;
    const stepped = await stepUpByEmail(c, 'ivy@clinic.org');
    expect(stepped.statusCode).toBe(200);
    expect(c.cookie).not.toBe(oldCookie); // S17: a new token after step-up
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: oldCookie! } }))
        .statusCode,
    ).toBe(401);

    // "enter a mobile phone number and click Verify Mobile Number"
    const sent = await c.post('/api/v1/phone/start', { phone: '(415) 555-2671', channel: 'sms' });
    expect(sent.json().flow).toMatchObject({
      destination: '•••• ••• 671',
      code: { validForSeconds: 60 },
    });
    expect((await c.get('/api/v1/account/security')).json().phone).toBeNull(); // not saved yet

    // "enter that code … and click Submit"
    const confirmed = await c.post('/api/v1/phone/confirm', {
      flow: sent.json().flow.flow,
      code: await latestCode(app, '+14155552671'),
    });
    expect(confirmed.json().phone).toMatchObject({ number: '•••• ••• 671', kind: 'mobile' });
    const after = (await c.get('/api/v1/account/security')).json();
    expect(after.stepUp.methods).toEqual(['sms', 'voice', 'email']);

    const notice = (await outbox('ivy@clinic.org'))[0];
    expect(notice?.subject).toBe('Spectera Provider Portal: your sign-in details changed');
    expect(notice?.text).toContain('•••• ••• 671 was added');
    expect(notice?.text).not.toMatch(/\d{6}/);
  });

  it('changing the number sends the code to the new number and a notice to the old one (S21)', async () => {
    await start(smsRequired);
    const { c, flow } = await firstSignIn('jo@clinic.co.uk');
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    await c.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, MOBILE) });
    const again = await c.post('/api/v1/sign-in', { email: 'jo@clinic.co.uk', password: PASSWORD });
    await c.post('/api/v1/sign-in/verify-code', {
      flow: again.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });

    // My Details → Multi-factor Authentication → Update: verify with the phone we have.
    const up = await c.post('/api/v1/step-up/start', { channel: 'sms' });
    await c.post('/api/v1/step-up/verify', {
      flow: up.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    const sent = await c.post('/api/v1/phone/start', { phone: NEW_MOBILE, channel: 'sms' });
    await c.post('/api/v1/phone/confirm', {
      flow: sent.json().flow.flow,
      code: await latestCode(app, NEW_MOBILE),
    });

    const [toOld] = await outbox(MOBILE);
    expect(toOld?.text).toBe(
      "The phone number on your Spectera Provider Portal account was changed to a number ending in 456. If you didn't make this change, contact Customer Service.".replace(
        '456',
        NEW_MOBILE.slice(-3),
      ),
    );
    const [toEmail] = await outbox('jo@clinic.co.uk');
    expect(toEmail?.text).toContain(
      `changed from •••• ••• 456 to •••• ••• ${NEW_MOBILE.slice(-3)}`,
    );
    // The old number no longer receives sign-in codes.
    const next = await new Client(app).post('/api/v1/sign-in', {
      email: 'jo@clinic.co.uk',
      password: PASSWORD,
    });
    expect(next.json().flow.destination).toBe(`•••• ••• ${NEW_MOBILE.slice(-3)}`);
  });

  it('a step-up expires after five minutes, and belongs to the session that asked for it', async () => {
    await start();
    const c = await signedInClient(app, 'kim@clinic.org');
    const other = new Client(app);
    await finishSignIn(
      other,
      await other.post('/api/v1/sign-in', { email: 'kim@clinic.org', password: PASSWORD }),
      'kim@clinic.org',
    );
    const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
    const code = await latestCode(app, 'kim@clinic.org');
    const stolen = await other.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code,
    });
    expect(stolen.json().error.code).toBe('FLOW_NOT_FOUND');
    expect(
      (await c.post('/api/v1/step-up/verify', { flow: started.json().flow.flow, code })).statusCode,
    ).toBe(200);
    clock.advance(5 * 60_000);
    const late = await c.post('/api/v1/phone/start', { phone: '+14155552671', channel: 'sms' });
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
  });

  it('removing the phone needs a step-up, and is refused where the policy requires it', async () => {
    await start();
    const c = await signedInClient(app, 'lee@clinic.org');
    await stepUpByEmail(c, 'lee@clinic.org');
    const sent = await c.post('/api/v1/phone/start', { phone: '+14155552671', channel: 'sms' });
    await c.post('/api/v1/phone/confirm', {
      flow: sent.json().flow.flow,
      code: await latestCode(app, '+14155552671'),
    });
    clock.advance(5 * 60_000);
    expect((await c.delete('/api/v1/phone')).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUpByEmail(c, 'lee@clinic.org');
    expect((await c.delete('/api/v1/phone')).statusCode).toBe(204);
    expect((await c.get('/api/v1/account/security')).json().phone).toBeNull();

    await app.close();
    await start(smsRequired);
    const { c: d, flow } = await firstSignIn('mo@clinic.co.uk');
    await d.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    await d.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, MOBILE) });
    const again = await d.post('/api/v1/sign-in', { email: 'mo@clinic.co.uk', password: PASSWORD });
    await d.post('/api/v1/sign-in/verify-code', {
      flow: again.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    const up = await d.post('/api/v1/step-up/start', { channel: 'sms' });
    await d.post('/api/v1/step-up/verify', {
      flow: up.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    const refused = await d.delete('/api/v1/phone');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('FACTOR_REQUIRED');
  });

  it('"Skip for Now" is remembered: the next sign-in goes straight in', async () => {
    await start();
    await signedInClient(app, 'ned@clinic.org');
    const again = await new Client(app).post('/api/v1/sign-in', {
      email: 'ned@clinic.org',
      password: PASSWORD,
    });
    expect(again.json().status).toBe('signed_in');
  });
});

describe('logs (S25)', () => {
  it('never carry a code sent by text, call or email, even when delivery fails', async () => {
    const lines: string[] = [];
    const logStream = { write: (line: string) => void lines.push(line) };
    const failingVoice: Sender = {
      channel: 'voice',
      provider: 'broken',
      send: async () => {
        throw new Error('provider down');
      },
    };
    clock = new FakeClock();
    app = await build({
      config: testConfig({ ...smsRequired, LOG_LEVEL: 'trace' }),
      clock,
      logStream,
      senders: [failingVoice],
    });
    const { c, flow } = await firstSignIn('ola@clinic.co.uk');
    const codes = [await latestCode(app, 'ola@clinic.co.uk')];
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'voice' }); // fails
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    codes.push(await latestCode(app, MOBILE));
    await c.post('/api/v1/sign-in/verify-code', { flow, code: '000000' });
    await c.post('/api/v1/sign-in/verify-code', { flow, code: codes[1] });
    const again = await c.post('/api/v1/sign-in', {
      email: 'ola@clinic.co.uk',
      password: PASSWORD,
    });
    codes.push(await latestCode(app, MOBILE));
    await c.post('/api/v1/sign-in/verify-code', { flow: again.json().flow.flow, code: codes[2] });
    expect(lines.length).toBeGreaterThan(10);
    const all = lines.join('\n');
    for (const code of codes) expect(all).not.toContain(code);
    expect(all).not.toContain(MOBILE);
    expect(all).not.toContain(PASSWORD);
  });
});

describe('strong-mfa before any second factor', () => {
  it('lets a fresh sign-in add the first phone, since nothing enrolled could vouch', async () => {
    // Before seed 001's date the user may skip the minimum at sign-in and add it later here.
    await start({ PORTCULLIS_POLICY: 'strong-mfa' }, undefined, SEED_001_REMINDER);
    const c = await signedInClient(app, 'pia@clinic.org');
    const security = (await c.get('/api/v1/account/security')).json();
    expect(security.stepUp.methods).toEqual([]); // email may not vouch under strong-mfa
    expect(security.stepUp.validUntil).not.toBeNull();
    const sent = await c.post('/api/v1/phone/start', { phone: '+14155552671', channel: 'sms' });
    expect(sent.statusCode).toBe(200);
    clock.advance(5 * 60_000);
    const late = await c.post('/api/v1/phone/start', { phone: '+14155552671', channel: 'sms' });
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl)
  console.warn(
    'Redis-backed send limits are skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them (CI does).',
  );

describe.runIf(redisUrl)('send limits kept in Redis (REDIS_URL)', () => {
  it('are shared by two server processes that share nothing else', async () => {
    // A random secret keys the counters apart from any other run against the same Redis.
    const env = {
      ...smsRequired,
      REDIS_URL: redisUrl!,
      SECRET_KEY: `redis-test-${Math.random()}-${Date.now()}-padding`,
    };
    await start(env);
    const first = app;
    const second = await build({ config: testConfig(env), clock }); // its own database
    try {
      // Three texts to the number from the first process…
      const { c, flow } = await firstSignIn('quinn@clinic.co.uk');
      expect(
        (await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' })).statusCode,
      ).toBe(200);
      for (let i = 0; i < 2; i++) {
        clock.advance(30_000);
        expect((await c.post('/api/v1/sign-in/resend-code', { flow })).statusCode).toBe(200);
      }
      // …and two from the second reach the limit of five; the sixth is refused there.
      app = second;
      const other = await firstSignIn('rae@clinic.co.uk');
      expect(
        (
          await other.c.post('/api/v1/sign-in/phone', {
            flow: other.flow,
            phone: MOBILE,
            channel: 'sms',
          })
        ).statusCode,
      ).toBe(200);
      clock.advance(30_000);
      expect(
        (await other.c.post('/api/v1/sign-in/resend-code', { flow: other.flow })).statusCode,
      ).toBe(200);
      clock.advance(30_000);
      const refused = await other.c.post('/api/v1/sign-in/resend-code', { flow: other.flow });
      expect(refused.json().error.code).toBe('SEND_LIMIT_REACHED');
    } finally {
      app = first;
      await second.close();
    }
  });
});
