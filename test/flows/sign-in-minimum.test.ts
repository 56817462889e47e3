/**
 * Issue 6: sign-in applies the policy's minimum and its enforcement date (seed 001: "Starting
 * March 7, 2025 … you're required to have 1 of the following verified on your account … If you do
 * not complete setting up the minimum multi-factor authentication methods, you will be unable to
 * log into the Provider Portal"). Before the date: a reminder with "Skip for Now", at every
 * sign-in. From the date: sign-in stops at the choice until a way is complete — a passkey, the
 * authenticator app and a phone, or the password and a phone — each added inside sign-in. The
 * attacks: skipping after the date, choosing a way the policy does not offer, adding a factor
 * without passing the one already held, answering a registration ceremony twice.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, latestCode, PASSWORD } from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { methods, ORIGIN, passkeySignIn } from '../helpers/passkeys.js';
import { appCode, enrolTotp } from '../helpers/totp.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

/** The first moment seed 001's minimum binds. */
const DATE = Date.parse('2025-03-07T00:00:00.000Z');

async function start(now: number, env: Record<string, string> = {}) {
  clock = new FakeClock(now);
  app = await build({ config: testConfig({ PORTCULLIS_POLICY: 'strong-mfa', ...env }), clock });
}

const flowOf = (res: LightMyRequestResponse) => res.json().flow;

/** Sign up, sign in, verify the email: the first step owed after that. */
async function firstSignIn(email: string) {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const started = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
  const flow = flowOf(started).flow as string;
  const res = await c.post('/api/v1/sign-in/verify-email', {
    flow,
    code: await latestCode(app, email),
  });
  return { c, flow, res };
}

/** "I have saved it" on the recovery code the policy requires, then the session. */
async function saveRecoveryCode(c: Client, res: LightMyRequestResponse) {
  expect(flowOf(res).step).toBe('save_recovery_code');
  expect(flowOf(res).recoveryCode.digits).toBe(16);
  return c.post('/api/v1/sign-in/recovery-code-saved', { flow: flowOf(res).flow });
}

const ways = [
  { factors: ['passkey'], missing: ['passkey'], available: true },
  { factors: ['totp', 'phone'], missing: ['totp', 'phone'], available: true },
  { factors: ['password', 'phone'], missing: ['phone'], available: true },
];

describe('seed 001 before 7 March 2025: a reminder, with Skip for Now, at every sign-in', () => {
  it('says what is needed and by when, lets the user skip, and asks again next time', async () => {
    await start(SEED_001_REMINDER);
    const { c, flow, res } = await firstSignIn('ann@clinic.org');
    expect(flowOf(res)).toMatchObject({
      step: 'choose_mfa',
      skippable: true,
      minimum: { ways, chosen: null, deadline: '2025-03-07T00:00:00.000Z', enforced: false },
    });
    // The reminder first, then the recovery code every user must save, then the session.
    const skipped = await c.post('/api/v1/sign-in/skip', { flow });
    const signed = await saveRecoveryCode(c, skipped);
    expect(signed.json().status).toBe('signed_in');
    expect(signed.json().session.aal).toBe('aal1');
    const audit = await app.services.store.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'sign_in.minimum_skipped')
      .execute();
    expect(audit).toHaveLength(1);

    // A reminder, not an offer: the next sign-in asks again.
    const again = await new Client(app).post('/api/v1/sign-in', {
      email: 'ann@clinic.org',
      password: PASSWORD,
    });
    expect(flowOf(again)).toMatchObject({ step: 'choose_mfa', skippable: true });
  });

  it('stops offering Skip for Now at the date itself, to the millisecond', async () => {
    await start(DATE - 1);
    const { c, flow, res } = await firstSignIn('bea@clinic.org');
    expect(flowOf(res).skippable).toBe(true);
    clock.set(DATE);
    // The same flow, reloaded at the date: enforced now, and a skip is refused.
    const view = await c.post('/api/v1/sign-in/flow', { flow });
    expect(flowOf(view)).toMatchObject({ skippable: false, minimum: { enforced: true } });
    const skip = await c.post('/api/v1/sign-in/skip', { flow });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().error.code).toBe('FLOW_STATE_CONFLICT');
  });
});

describe('seed 001 from 7 March 2025: no sign-in until the minimum is met', () => {
  it('blocks at the choice: no Skip for Now, no session, however often the user tries', async () => {
    await start(DATE + 3 * 86_400_000);
    const { c, flow, res } = await firstSignIn('cal@clinic.org');
    expect(flowOf(res)).toMatchObject({
      step: 'choose_mfa',
      skippable: false,
      minimum: { enforced: true },
    });
    expect((await c.post('/api/v1/sign-in/skip', { flow })).statusCode).toBe(409);
    // Neither the recovery code step nor any other way round it.
    expect((await c.post('/api/v1/sign-in/recovery-code-saved', { flow })).json().error.code).toBe(
      'FLOW_STATE_CONFLICT',
    );
    const next = await new Client(app).post('/api/v1/sign-in', {
      email: 'cal@clinic.org',
      password: PASSWORD,
    });
    expect(flowOf(next).step).toBe('choose_mfa');
    expect(await app.services.store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('"Verify your phone number": password + phone, then the recovery code, then in', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('dan@clinic.org');
    const chosen = await c.post('/api/v1/sign-in/minimum', { flow, choice: 2 });
    expect(flowOf(chosen)).toMatchObject({ step: 'enrol_phone', minimum: { chosen: 2 } });
    // A direct landline (no extension) is allowed: the code is read out in a call.
    const sent = await c.post('/api/v1/sign-in/phone', {
      flow,
      phone: '+44 20 7946 0123',
      channel: 'voice',
    });
    expect(flowOf(sent)).toMatchObject({ step: 'confirm_phone', code: { channel: 'voice' } });
    const confirmed = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+442079460123'),
    });
    const signed = await saveRecoveryCode(c, confirmed);
    expect(signed.json().status).toBe('signed_in');
    // The phone was added on the password alone: it never vouches for itself (AAL1).
    expect(signed.json().session).toMatchObject({ aal: 'aal1' });
    expect(methods(signed)).toEqual(['pwd']);

    // From now on sign-in asks for the phone, by call.
    const next = await new Client(app).post('/api/v1/sign-in', {
      email: 'dan@clinic.org',
      password: PASSWORD,
    });
    expect(flowOf(next)).toMatchObject({ step: 'second_factor', channels: ['voice'] });
  });

  it('"Verify your phone number and get Authenticator": the phone, then the app, both kept', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('eve@clinic.org');
    await c.post('/api/v1/sign-in/minimum', { flow, choice: 1 });
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+14155552671', channel: 'sms' });
    const phoneDone = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+14155552671'),
    });
    // The phone alone would meet "password + phone", but the user chose the app as well.
    const view = flowOf(phoneDone);
    expect(view).toMatchObject({ step: 'enrol_totp', minimum: { chosen: 1 } });
    const key = view.totp.key as string;
    expect(key.replace(/ /g, '')).toMatch(/^[A-Z2-7]{32}$/);
    expect(view.totp.qrSvg).toMatch(/^<svg/);

    const wrong = await c.post('/api/v1/sign-in/totp', { flow, code: '000000' });
    expect(wrong.json().error.code).toBe('CODE_INVALID');
    const done = await c.post('/api/v1/sign-in/totp', { flow, code: appCode(key, clock.now()) });
    const signed = await saveRecoveryCode(c, done);
    expect(signed.json().status).toBe('signed_in');

    // The confirming code is spent: the next sign-in asks for the app and refuses it.
    const next = new Client(app);
    const res = await next.post('/api/v1/sign-in', { email: 'eve@clinic.org', password: PASSWORD });
    expect(flowOf(res)).toMatchObject({
      step: 'second_factor',
      secondFactor: { method: 'totp' },
      channels: ['sms', 'voice'],
    });
    const replay = await next.post('/api/v1/sign-in/verify-code', {
      flow: flowOf(res).flow,
      code: appCode(key, clock.now()),
    });
    expect(replay.json().error.code).toBe('CODE_ALREADY_USED');
    clock.advance(30_000);
    const ok = await next.post('/api/v1/sign-in/verify-code', {
      flow: flowOf(res).flow,
      code: appCode(key, clock.now()),
    });
    expect(ok.json().session).toMatchObject({ aal: 'aal2' });
  });

  it('"Add passkey": registered inside sign-in, then it signs in alone at AAL2', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('fay@clinic.org');
    const chosen = await c.post('/api/v1/sign-in/minimum', { flow, choice: 0 });
    const view = flowOf(chosen);
    expect(view.step).toBe('enrol_passkey');
    const { options } = view.passkeyRegistration;
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.user.name).toBe('fay@clinic.org');

    const device = new SoftwareAuthenticator(ORIGIN);
    const { response } = device.create(options);
    const added = await c.post('/api/v1/sign-in/passkey-registration', {
      flow,
      name: 'Front desk PC',
      credential: response,
    });
    const signed = await saveRecoveryCode(c, added);
    expect(signed.json().session.aal).toBe('aal1');

    // The same answer again: the ceremony was answered once (S15).
    const again = await c.post('/api/v1/sign-in/passkey-registration', {
      flow,
      name: 'Again',
      credential: response,
    });
    expect(again.statusCode).toBeGreaterThanOrEqual(400);

    const passwordless = await passkeySignIn(new Client(app), device);
    expect(passwordless.json().status).toBe('signed_in');
    expect(passwordless.json().session.aal).toBe('aal2');
    expect(methods(passwordless)).toEqual(['hwk', 'user']);
  });

  it('lets a user half-way through one way go on with a way they have met meanwhile', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('gil@clinic.org');
    await c.post('/api/v1/sign-in/minimum', { flow, choice: 1 });
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+14155552674', channel: 'sms' });
    const appStep = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+14155552674'),
    });
    // The phone met "Password + phone number": listed as complete, and it may be taken.
    expect(flowOf(appStep)).toMatchObject({ step: 'enrol_totp', skippable: false });
    expect(flowOf(appStep).minimum.ways[2]).toEqual({
      factors: ['password', 'phone'],
      missing: [],
      available: true,
    });
    const on = await c.post('/api/v1/sign-in/minimum', { flow, choice: 2 });
    expect((await saveRecoveryCode(c, on)).json().status).toBe('signed_in');
  });

  it('lets the user choose another way half-way, and try the passkey again with a new ceremony', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('gus@clinic.org');
    const first = flowOf(await c.post('/api/v1/sign-in/minimum', { flow, choice: 0 }));
    const device = new SoftwareAuthenticator(ORIGIN);
    // An answer for another RP ID is refused, and spends the ceremony.
    const forged = device.create(first.passkeyRegistration.options, { rpId: 'evil.example' });
    const refused = await c.post('/api/v1/sign-in/passkey-registration', {
      flow,
      name: 'Laptop',
      credential: forged.response,
    });
    expect(refused.json().error.code).toBe('PASSKEY_INVALID');
    const retry = flowOf(await c.post('/api/v1/sign-in/minimum', { flow, choice: 0 }));
    expect(retry.passkeyRegistration.options.challenge).not.toBe(
      first.passkeyRegistration.options.challenge,
    );
    // Or another way altogether.
    const phone = flowOf(await c.post('/api/v1/sign-in/minimum', { flow, choice: 2 }));
    expect(phone).toMatchObject({ step: 'enrol_phone', passkeyRegistration: null });
  });

  it('refuses a way that is not on offer, and a choice once the minimum is behind', async () => {
    await start(DATE + 86_400_000);
    const { c, flow } = await firstSignIn('hal@clinic.org');
    for (const choice of [3, 20]) {
      const res = await c.post('/api/v1/sign-in/minimum', { flow, choice });
      expect(res.json().error.code).toBe('METHOD_NOT_AVAILABLE');
    }
    // Outside the minimum's steps, choosing is not possible.
    const other = await firstSignIn('ida@clinic.org');
    await other.c.post('/api/v1/sign-in/minimum', { flow: other.flow, choice: 2 });
    await other.c.post('/api/v1/sign-in/phone', {
      flow: other.flow,
      phone: '+14155552672',
      channel: 'sms',
    });
    const saveStep = await other.c.post('/api/v1/sign-in/verify-code', {
      flow: other.flow,
      code: await latestCode(app, '+14155552672'),
    });
    expect(flowOf(saveStep).step).toBe('save_recovery_code');
    const late = await other.c.post('/api/v1/sign-in/minimum', { flow: other.flow, choice: 0 });
    expect(late.json().error.code).toBe('FLOW_STATE_CONFLICT');
  });

  it('asks a user who holds the app to pass it before adding anything (no factor on a password alone)', async () => {
    // February: the user skips the reminder, then adds the app from the security page.
    await start(SEED_001_REMINDER);
    const { c, flow } = await firstSignIn('joy@clinic.org');
    await saveRecoveryCode(c, await c.post('/api/v1/sign-in/skip', { flow }));
    const key = await enrolTotp(c, clock);

    // After the date, someone with the password alone cannot add a phone or skip: the app first.
    clock.set(DATE + 86_400_000);
    const d = new Client(app);
    const res = await d.post('/api/v1/sign-in', { email: 'joy@clinic.org', password: PASSWORD });
    const token = flowOf(res).flow as string;
    expect(flowOf(res)).toMatchObject({ step: 'second_factor', secondFactor: { method: 'totp' } });
    for (const [url, body] of [
      ['/api/v1/sign-in/minimum', { choice: 2 }],
      ['/api/v1/sign-in/phone', { phone: '+14155552673', channel: 'sms' }],
      ['/api/v1/sign-in/skip', {}],
    ] as const) {
      const refused = await d.post(url, { flow: token, ...body });
      expect(refused.json().error.code).toBe('FLOW_STATE_CONFLICT');
    }
    // With the app passed, the rest of the minimum: the app + phone way lacks only the phone.
    const passed = await d.post('/api/v1/sign-in/verify-code', {
      flow: token,
      code: appCode(key, clock.now()),
    });
    expect(flowOf(passed)).toMatchObject({ step: 'choose_mfa', skippable: false });
    expect(flowOf(passed).minimum.ways[1]).toMatchObject({
      factors: ['totp', 'phone'],
      missing: ['phone'],
    });
  });
});

describe('seeds 000 and 002 through the same step', () => {
  it('000 offers the phone once (Skip for Now is remembered); 002 requires it', async () => {
    await start(Date.parse('2026-11-22T12:00:00Z'), { PORTCULLIS_POLICY: 'email-first' });
    const { c, flow, res } = await firstSignIn('kit@clinic.org');
    expect(flowOf(res)).toMatchObject({
      step: 'enrol_phone',
      skippable: true,
      minimum: { ways: [{ factors: ['password', 'phone'], missing: ['phone'] }], deadline: null },
    });
    expect((await c.post('/api/v1/sign-in/skip', { flow })).json().status).toBe('signed_in');
    const next = await new Client(app).post('/api/v1/sign-in', {
      email: 'kit@clinic.org',
      password: PASSWORD,
    });
    expect(next.json().status).toBe('signed_in');

    await app.close();
    await start(Date.parse('2026-11-22T12:00:00Z'), {
      PORTCULLIS_POLICY: 'sms-required',
      PHONE_DEFAULT_COUNTRY: 'GB',
    });
    const required = await firstSignIn('lou@clinic.org');
    expect(flowOf(required.res)).toMatchObject({
      step: 'enrol_phone',
      skippable: false,
      minimum: { enforced: true },
    });
  });
});
