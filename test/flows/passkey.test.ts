/**
 * Passkeys (issue 5; S15, S17, S20, S21), the user's stories through the API with a software
 * authenticator: adding one from the security page after a step-up (discoverable, user
 * verification, existing ones excluded, named, listed with its dates and whether it is synced);
 * signing in with it alone (AAL2, `hwk`/`swk` + `user`), still through the steps the account owes;
 * using it as the second factor after a password; stepping up with it; renaming and removing it
 * (it stops working at once). The attacks are in passkey.security.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import {
  Client,
  latestCode,
  outbox,
  PASSWORD,
  signedInClient,
  pastReminder,
} from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import {
  addPasskey,
  methods,
  ORIGIN,
  passkeySignIn,
  stepUpWithPasskey,
} from '../helpers/passkeys.js';
import { stepUpByEmail } from '../helpers/totp.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock(SEED_001_REMINDER);
  app = await build({ config: testConfig(env), clock });
}
const strongMfa = { PORTCULLIS_POLICY: 'strong-mfa' };

/** Signed in and stepped up by email (email-first): free to add a passkey now. */
async function readyClient(email: string): Promise<Client> {
  const c = await signedInClient(app, email);
  await stepUpByEmail(c, email);
  return c;
}

async function auditActions(): Promise<string[]> {
  const rows = await app.services.store.db
    .selectFrom('audit_events')
    .select('action')
    .orderBy('at')
    .execute();
  return rows.map((r) => r.action);
}

describe('adding a passkey', () => {
  it('needs a step-up, asks for a discoverable passkey with user verification, and lists it by name', async () => {
    await start();
    const c = await signedInClient(app, 'ada@clinic.org');
    clock.advance(6 * 60_000); // the sign-in no longer vouches
    expect((await c.post('/api/v1/passkeys/start')).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUpByEmail(c, 'ada@clinic.org');

    const started = await c.post('/api/v1/passkeys/start');
    expect(started.statusCode).toBe(200);
    const { flow, options, expiresAt } = started.json().registration;
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Spectera Provider Portal' },
      user: { name: 'ada@clinic.org', displayName: 'ada@clinic.org' },
      timeout: 300_000,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
    });
    expect(Buffer.from(options.user.id, 'base64url').toString()).not.toContain('@'); // opaque
    expect(Date.parse(expiresAt)).toBe(clock.now() + 300_000);

    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { response } = laptop.create(options);
    const saved = await c.post('/api/v1/passkeys/finish', {
      flow,
      name: '  Work   laptop ',
      credential: response,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().passkey).toEqual({
      id: expect.any(String),
      name: 'Work laptop',
      createdAt: new Date(clock.now()).toISOString(),
      lastUsedAt: null,
      synced: false,
      deviceBound: true,
      flagged: false,
      removable: true,
    });

    const security = (await c.get('/api/v1/account/security')).json();
    expect(security.passkeys).toEqual([saved.json().passkey]);
    expect(security.stepUp.methods[0]).toBe('passkey');
    const [notice] = await outbox(app, 'ada@clinic.org');
    expect(notice?.text).toContain('A passkey ("Work laptop") was added to your account.');
    expect(await auditActions()).toContain('factor.passkey_added');
  });

  it('shows a synced passkey as synced, and excludes the passkeys already added', async () => {
    await start();
    const c = await readyClient('abe@clinic.org');
    const manager = new SoftwareAuthenticator(ORIGIN, { backupEligible: true, backedUp: true });
    const first = await addPasskey(c, manager, 'Password manager');
    expect(first.passkey).toMatchObject({ synced: true, deviceBound: false });

    const again = (await c.post('/api/v1/passkeys/start')).json().registration;
    expect(again.options.excludeCredentials).toEqual([
      { id: first.credential.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    // The same authenticator refuses (as a browser does): the device is not registered twice.
    expect(() => manager.create(again.options)).toThrow(/InvalidStateError/);
    // Another device is fine.
    clock.advance(1000);
    const phone = await addPasskey(c, new SoftwareAuthenticator(ORIGIN), 'Phone');
    const names = (await c.get('/api/v1/account/security'))
      .json()
      .passkeys.map((p: { name: string }) => p.name);
    expect(names).toEqual(['Password manager', 'Phone']);
    expect(phone.passkey.name).toBe('Phone');
  });

  it('binds the ceremony to the session that started it, and needs the step-up still fresh at save', async () => {
    await start();
    const c = await readyClient('bea@clinic.org');
    const { flow, options } = (await c.post('/api/v1/passkeys/start')).json().registration;
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { response } = laptop.create(options);

    const other = await readyClient('bea+other@clinic.org');
    const elsewhere = await other.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Mine now',
      credential: response,
    });
    expect(elsewhere.json().error.code).toBe('FLOW_NOT_FOUND');

    clock.advance(6 * 60_000);
    const late = await c.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Late',
      credential: response,
    });
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await c.get('/api/v1/account/security')).json().passkeys).toEqual([]);
  });
});

describe('signing in with a passkey alone', () => {
  it('gives an AAL2 session with hwk + user, and records when the passkey was used', async () => {
    await start();
    const c = await readyClient('cal@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { passkey } = await addPasskey(c, laptop);
    await c.post('/api/v1/sign-out');

    const d = new Client(app);
    const options = (await d.post('/api/v1/sign-in/passkey/options')).json();
    expect(Buffer.from(options.options.challenge, 'base64url')).toHaveLength(32);
    expect(options.options).toEqual({
      challenge: expect.any(String),
      rpId: 'localhost',
      timeout: 300_000,
      userVerification: 'required',
    });
    const signed = await d.post('/api/v1/sign-in/passkey', {
      flow: options.flow,
      credential: laptop.get(options.options),
    });
    expect(signed.json().status).toBe('signed_in');
    expect(signed.json().user.email).toBe('cal@clinic.org');
    expect(signed.json().session.aal).toBe('aal2');
    expect(methods(signed)).toEqual(['hwk', 'user']);
    expect((await d.get('/api/v1/session')).statusCode).toBe(200);

    const listed = (await d.get('/api/v1/account/security')).json().passkeys[0];
    expect(listed).toMatchObject({
      id: passkey.id,
      lastUsedAt: new Date(clock.now()).toISOString(),
    });
    const successes = await app.services.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'sign_in.succeeded')
      .execute();
    expect(successes.map((e) => JSON.parse(e.details))).toContainEqual({
      methods: 'hwk+user',
      aal: 'aal2',
    });
  });

  it('records a synced passkey as swk, and a fresh challenge for every ceremony', async () => {
    await start();
    const c = await readyClient('dot@clinic.org');
    const synced = new SoftwareAuthenticator(ORIGIN, { backupEligible: true, backedUp: true });
    await addPasskey(c, synced);
    const a = (await c.post('/api/v1/sign-in/passkey/options')).json().options.challenge;
    const b = (await c.post('/api/v1/sign-in/passkey/options')).json().options.challenge;
    expect(a).not.toBe(b);
    expect(methods(await passkeySignIn(new Client(app), synced))).toEqual(['swk', 'user']);
  });

  it('still walks the steps the account owes (here: saving a new recovery code)', async () => {
    await start(strongMfa);
    const c = await signedInClient(app, 'eve@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(c, laptop);
    // A new recovery code that was never confirmed saved: the next sign-in shows one to save.
    await stepUpWithPasskey(c, laptop);
    expect((await c.post('/api/v1/recovery-code')).statusCode).toBe(200);

    const d = new Client(app);
    const first = await passkeySignIn(d, laptop);
    expect(first.json()).toMatchObject({
      status: 'continue',
      flow: { step: 'save_recovery_code' },
    });
    const done = await pastReminder(d, '/api/v1/sign-in/recovery-code-saved', {
      flow: first.json().flow.flow,
    });
    expect(done.json().status).toBe('signed_in');
    expect(done.json().session.aal).toBe('aal2');
    expect(methods(done)).toEqual(['hwk', 'user']);
  });
});

describe('a passkey as the second factor', () => {
  async function userWithPasskey(email: string) {
    await start(strongMfa);
    const c = await signedInClient(app, email);
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const added = await addPasskey(c, laptop);
    return { laptop, ...added };
  }

  it('is offered first after the password, and gives AAL2 with pwd + hwk + user', async () => {
    const { laptop, credential } = await userWithPasskey('fin@clinic.org');
    const d = new Client(app);
    const res = await d.post('/api/v1/sign-in', { email: 'fin@clinic.org', password: PASSWORD });
    const flow = res.json().flow;
    expect(flow).toMatchObject({
      step: 'second_factor',
      secondFactor: { method: 'passkey', alternatives: ['passkey', 'recovery_code'] },
      destination: null,
      code: null,
    });
    expect(flow.passkey.options).toMatchObject({
      rpId: 'localhost',
      userVerification: 'preferred',
      allowCredentials: [{ id: credential.id, type: 'public-key' }],
    });
    // A code cannot answer the passkey step.
    const code = await pastReminder(d, '/api/v1/sign-in/verify-code', {
      flow: flow.flow,
      code: '123456',
    });
    expect(code.json().error.code).toBe('FLOW_STATE_CONFLICT');

    const signed = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(flow.passkey.options),
    });
    expect(signed.json().status).toBe('signed_in');
    expect(signed.json().session.aal).toBe('aal2');
    expect(methods(signed)).toEqual(['pwd', 'hwk', 'user']);
  });

  it('counts without user verification as the second factor, recorded without `user`', async () => {
    const { laptop } = await userWithPasskey('gus@clinic.org');
    const d = new Client(app);
    const flow = (
      await d.post('/api/v1/sign-in', { email: 'gus@clinic.org', password: PASSWORD })
    ).json().flow;
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(flow.passkey.options, { uv: false }),
    });
    expect(signed.json().session.aal).toBe('aal2');
    expect(methods(signed)).toEqual(['pwd', 'hwk']);
  });

  it('can be left for the recovery code, and chosen again with a new challenge', async () => {
    const { laptop } = await userWithPasskey('hal@clinic.org');
    const d = new Client(app);
    const flow = (
      await d.post('/api/v1/sign-in', { email: 'hal@clinic.org', password: PASSWORD })
    ).json().flow;
    const recovery = await d.post('/api/v1/sign-in/method', {
      flow: flow.flow,
      method: 'recovery_code',
    });
    expect(recovery.json().flow).toMatchObject({
      secondFactor: { method: 'recovery_code' },
      passkey: null,
    });
    // The old ceremony went with the switch.
    const stale = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(flow.passkey.options),
    });
    expect(stale.json().error.code).toBe('FLOW_STATE_CONFLICT');
    const back = (
      await d.post('/api/v1/sign-in/method', { flow: flow.flow, method: 'passkey' })
    ).json().flow;
    expect(back.passkey.options.challenge).not.toBe(flow.passkey.options.challenge);
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(back.passkey.options),
    });
    expect(signed.json().status).toBe('signed_in');
  });
});

describe('managing passkeys', () => {
  it('steps up with a passkey: a new session token, and hwk + user in the session', async () => {
    await start();
    const c = await readyClient('ida@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(c, laptop);
    clock.advance(6 * 60_000);
    const before = c.cookie;
    const stepped = await stepUpWithPasskey(c, laptop);
    expect(stepped.statusCode).toBe(200);
    expect(Date.parse(stepped.json().validUntil)).toBe(clock.now() + 5 * 60_000);
    expect(c.cookie).not.toBe(before);
    const old = new Client(app);
    old.cookie = before;
    expect((await old.get('/api/v1/session')).statusCode).toBe(401);
    const amr = (await c.get('/api/v1/session'))
      .json()
      .session.amr.map((m: { method: string }) => m.method);
    expect(amr.slice(-2)).toEqual(['hwk', 'user']);
  });

  it('renames a passkey after a step-up', async () => {
    await start();
    const c = await readyClient('jon@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { passkey } = await addPasskey(c, laptop);
    clock.advance(6 * 60_000);
    const url = `/api/v1/passkeys/${passkey.id}`;
    expect((await c.patch(url, { name: 'Home laptop' })).json().error.code).toBe(
      'STEP_UP_REQUIRED',
    );
    await stepUpWithPasskey(c, laptop);
    const renamed = await c.patch(url, { name: 'Home laptop' });
    expect(renamed.json().passkey).toMatchObject({ id: passkey.id, name: 'Home laptop' });
    expect((await c.patch('/api/v1/passkeys/unknown', { name: 'x' })).json().error.code).toBe(
      'PASSKEY_NOT_FOUND',
    );
    expect((await c.patch(url, { name: '   ' })).json().error.code).toBe('VALIDATION_FAILED');
    expect(await auditActions()).toContain('factor.passkey_renamed');
  });

  it('removes a passkey after a step-up: it stops signing in at once, and the user is told', async () => {
    await start();
    const c = await readyClient('kim@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { passkey } = await addPasskey(c, laptop);
    clock.advance(6 * 60_000);
    expect((await c.delete(`/api/v1/passkeys/${passkey.id}`)).json().error.code).toBe(
      'STEP_UP_REQUIRED',
    );
    await stepUpWithPasskey(c, laptop);
    // A sign-in ceremony begun before the removal…
    const d = new Client(app);
    const pending = (await d.post('/api/v1/sign-in/passkey/options')).json();
    expect((await c.delete(`/api/v1/passkeys/${passkey.id}`)).statusCode).toBe(204);
    expect((await c.get('/api/v1/account/security')).json().passkeys).toEqual([]);
    const [notice] = await outbox(app, 'kim@clinic.org');
    expect(notice?.text).toContain('The passkey "Work laptop" was removed from your account.');

    // …is refused when answered after it, and so is any new one.
    const late = await d.post('/api/v1/sign-in/passkey', {
      flow: pending.flow,
      credential: laptop.get(pending.options),
    });
    expect(late.json().error.code).toBe('PASSKEY_INVALID');
    const refused = await passkeySignIn(new Client(app), laptop);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('PASSKEY_INVALID');
    expect((await c.delete(`/api/v1/passkeys/${passkey.id}`)).json().error.code).toBe(
      'PASSKEY_NOT_FOUND',
    );
  });

  it('keeps the phone required under sms-required, while a passkey may go', async () => {
    await start({ PORTCULLIS_POLICY: 'sms-required' });
    // Seed 002's first sign-in registers a phone and starts again; the user then signs in.
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'lea@clinic.org', password: PASSWORD });
    let res = await c.post('/api/v1/sign-in', { email: 'lea@clinic.org', password: PASSWORD });
    res = await c.post('/api/v1/sign-in/verify-email', {
      flow: res.json().flow.flow,
      code: await latestCode(app, 'lea@clinic.org'),
    });
    const flow = res.json().flow.flow;
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+14155552671', channel: 'sms' });
    await pastReminder(c, '/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+14155552671'),
    });
    res = await c.post('/api/v1/sign-in', { email: 'lea@clinic.org', password: PASSWORD });
    res = await pastReminder(c, '/api/v1/sign-in/verify-code', {
      flow: res.json().flow.flow,
      code: await latestCode(app, '+14155552671'),
    });
    expect(res.json().status).toBe('signed_in');
    const stepUp = (await c.post('/api/v1/step-up/start', { channel: 'sms' })).json().flow.flow;
    await c.post('/api/v1/step-up/verify', {
      flow: stepUp,
      code: await latestCode(app, '+14155552671'),
    });
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(c, laptop);
    const security = (await c.get('/api/v1/account/security')).json();
    expect(security.phoneRemovable).toBe(false);
    expect(security.passkeys[0].removable).toBe(true);
    // A passkey alone satisfies "every sign-in needs a second factor": it is multi-factor.
    const passwordless = await passkeySignIn(new Client(app), laptop);
    expect(passwordless.json().session.aal).toBe('aal2');
  });
});
