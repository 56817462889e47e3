/**
 * The authenticator app (issue 4; S12, S13, S20, S21): added from the security page after a
 * step-up, shown once (QR code and key), saved only when a current code confirms it, sealed at
 * rest; then a second factor at sign-in and a way to step up. Codes of step T and T-1 pass,
 * once each: a replay, an older step and T-2 are refused — also when submitted concurrently.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { reencryptSecrets } from '../../src/factors/totp/reencrypt.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import {
  Client,
  latestCode,
  outbox as outboxFor,
  PASSWORD,
  signedInClient,
  pastReminder,
} from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { appCode, enrolTotp, stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}, store?: Store) {
  clock ??= new FakeClock(SEED_001_REMINDER);
  app = await build({ config: testConfig(env), clock, ...(store ? { store } : {}) });
}
const strongMfa = { PORTCULLIS_POLICY: 'strong-mfa' };

const outbox = (to: string) => outboxFor(app, to);

/** Password, then the flow's second-factor step. */
async function passwordStep(email: string) {
  const c = new Client(app);
  const res = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
  return { c, res, flow: res.json().flow?.flow as string };
}

describe('adding an authenticator app', () => {
  it('needs a step-up, shows the key once, and saves it only when a code confirms it', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start();
    const c = await signedInClient(app, 'ada@clinic.org');
    clock.advance(6 * 60_000); // the sign-in is no longer fresh enough to vouch

    expect((await c.post('/api/v1/totp/start')).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUpByEmail(c, 'ada@clinic.org');

    const started = await c.post('/api/v1/totp/start');
    expect(started.statusCode).toBe(200);
    const { flow, key, uri, qrSvg } = started.json().enrolment;
    expect(key.replace(/ /g, '')).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    expect(uri).toBe(
      `otpauth://totp/Spectera%20Provider%20Portal:ada%40clinic.org?issuer=Spectera%20Provider%20Portal&secret=${key.replace(/ /g, '')}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // A wrong code saves nothing.
    const wrong = await c.post('/api/v1/totp/confirm', { flow, code: '000000' });
    expect(wrong.json().error).toMatchObject({
      code: 'CODE_INVALID',
      message: 'That code is not right. Enter the code your authenticator app shows now.',
    });
    expect((await c.get('/api/v1/account/security')).json().totp).toBeNull();

    const ok = await c.post('/api/v1/totp/confirm', { flow, code: appCode(key, clock.now()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().totp).toEqual({
      addedAt: new Date(clock.now()).toISOString(),
      lastUsedAt: null,
    });
    // The enrolment is over: the same flow cannot confirm again, and the key is never shown again.
    expect(
      (await c.post('/api/v1/totp/confirm', { flow, code: appCode(key, clock.now()) })).json().error
        .code,
    ).toBe('FLOW_NOT_FOUND');
    const security = (await c.get('/api/v1/account/security')).json();
    expect(security.totp).not.toBeNull();
    expect(JSON.stringify(security)).not.toContain(key.replace(/ /g, '').slice(0, 8));
    expect(security.stepUp.methods[0]).toBe('totp');

    const [notice] = await outbox('ada@clinic.org');
    expect(notice?.text).toContain('An authenticator app was added to your account.');
  });

  it('binds the enrolment to its session, and needs the step-up still fresh when saving', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start();
    const c = await signedInClient(app, 'abe@clinic.org');
    await stepUpByEmail(c, 'abe@clinic.org');
    const { flow, key } = (await c.post('/api/v1/totp/start')).json().enrolment;

    // Another user's session, stepped up and holding the token: nothing to confirm there.
    const other = await signedInClient(app, 'abe+other@clinic.org');
    await stepUpByEmail(other, 'abe+other@clinic.org');
    const elsewhere = await other.post('/api/v1/totp/confirm', {
      flow,
      code: appCode(key, clock.now()),
    });
    expect(elsewhere.json().error.code).toBe('FLOW_NOT_FOUND');

    // The step-up lapses while the QR code is on screen: saving needs a new one.
    clock.advance(6 * 60_000);
    const late = await c.post('/api/v1/totp/confirm', { flow, code: appCode(key, clock.now()) });
    expect(late.json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await c.get('/api/v1/account/security')).json().totp).toBeNull();
  });

  it('keeps only a sealed secret: no column holds the key, and another key id cannot open it', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'bea@clinic.org');
    const started = (await c.post('/api/v1/totp/start')).json().enrolment;
    const key: string = started.key.replace(/ /g, '');
    const raw = Buffer.from(
      // base32 → bytes, for searching the stored forms
      key.match(/.{8}/g)!.join(''),
      'ascii',
    );
    const flows = await app.services.store.db.selectFrom('flows').select('data').execute();
    await c.post('/api/v1/totp/confirm', { flow: started.flow, code: appCode(key, clock.now()) });
    const row = await app.services.store.db
      .selectFrom('totp_factors')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.key_id).toBe('k0');
    const stored = JSON.stringify(row) + JSON.stringify(flows);
    for (const form of [key, key.toLowerCase(), raw.toString('hex')])
      expect(stored).not.toContain(form);
    expect(Buffer.from(row.secret_ciphertext, 'base64')).toHaveLength(12 + 20 + 16);
  });
});

describe('signing in with the app (strong-mfa asks for it once enrolled)', () => {
  it('takes a current code as the second factor and gives an AAL2 session', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'cal@clinic.org');
    const key = await enrolTotp(c, clock);

    const { c: d, res, flow } = await passwordStep('cal@clinic.org');
    expect(res.json().flow).toMatchObject({
      step: 'second_factor',
      secondFactor: { method: 'totp', alternatives: ['totp', 'recovery_code'] },
      destination: null,
      code: null,
    });
    expect(await outbox('cal@clinic.org')).toHaveLength(2); // verification + the "added" notice: nothing sent now
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-code', {
      flow,
      code: appCode(key, clock.now()),
    });
    expect(signed.json().status).toBe('signed_in');
    expect(signed.json().session.aal).toBe('aal2');
    expect(signed.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'otp',
    ]);
  });

  it('refuses a replayed code, an older step and T-2; accepts T-1 once', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'dot@clinic.org');
    const key = await enrolTotp(c, clock);

    // Accept the current step's code…
    const first = await passwordStep('dot@clinic.org');
    const now = appCode(key, clock.now());
    expect(
      (
        await pastReminder(first.c, '/api/v1/sign-in/verify-code', { flow: first.flow, code: now })
      ).json().status,
    ).toBe('signed_in');

    // …then the same code again, in the same step: a replay.
    const second = await passwordStep('dot@clinic.org');
    const replay = await pastReminder(second.c, '/api/v1/sign-in/verify-code', {
      flow: second.flow,
      code: now,
    });
    expect(replay.json().error.code).toBe('CODE_ALREADY_USED');
    // 25 s later the same step still holds; the previous step's code is older than the last used.
    clock.advance(25_000);
    const older = await pastReminder(second.c, '/api/v1/sign-in/verify-code', {
      flow: second.flow,
      code: appCode(key, clock.now(), -1),
    });
    expect(older.json().error.code).toBe('CODE_ALREADY_USED');

    // A minute on: T-2 is simply wrong, T-1 passes (typed as the step turned), then not again.
    clock.advance(60_000);
    const stale = await pastReminder(second.c, '/api/v1/sign-in/verify-code', {
      flow: second.flow,
      code: appCode(key, clock.now(), -2),
    });
    expect(stale.json().error.code).toBe('CODE_INVALID');
    const previous = appCode(key, clock.now(), -1);
    expect(
      (
        await pastReminder(second.c, '/api/v1/sign-in/verify-code', {
          flow: second.flow,
          code: previous,
        })
      ).json().status,
    ).toBe('signed_in');
    const third = await passwordStep('dot@clinic.org');
    expect(
      (
        await pastReminder(third.c, '/api/v1/sign-in/verify-code', {
          flow: third.flow,
          code: previous,
        })
      ).json().error.code,
    ).toBe('CODE_ALREADY_USED');
    // A code for the next step (a fast phone clock) is not accepted early.
    expect(
      (
        await pastReminder(third.c, '/api/v1/sign-in/verify-code', {
          flow: third.flow,
          code: appCode(key, clock.now(), 1),
        })
      ).json().error.code,
    ).toBe('CODE_INVALID');
  });

  it('lets exactly one of four concurrent submissions of one code through', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'eve@clinic.org');
    const key = await enrolTotp(c, clock);
    const flows = await Promise.all([1, 2, 3, 4].map(() => passwordStep('eve@clinic.org')));
    const code = appCode(key, clock.now());
    const results = await Promise.all(
      flows.map(({ c: d, flow }) => pastReminder(d, '/api/v1/sign-in/verify-code', { flow, code })),
    );
    const statuses = results.map((r) => r.json().status ?? r.json().error.code).sort();
    expect(statuses).toEqual([
      'CODE_ALREADY_USED',
      'CODE_ALREADY_USED',
      'CODE_ALREADY_USED',
      'signed_in',
    ]);
  });

  it('offers a text message instead, when the user also has a phone', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'fin@clinic.org');
    const phoneFlow = (
      await c.post('/api/v1/phone/start', { phone: '+14155552671', channel: 'sms' })
    ).json().flow.flow;
    await c.post('/api/v1/phone/confirm', {
      flow: phoneFlow,
      code: await latestCode(app, '+14155552671'),
    });
    // With a phone on the account, adding the app needs a step-up by text.
    expect((await c.post('/api/v1/totp/start')).json().error.code).toBe('STEP_UP_REQUIRED');
    clock.advance(30_000);
    const up = (await c.post('/api/v1/step-up/start', { channel: 'sms' })).json().flow.flow;
    await c.post('/api/v1/step-up/verify', {
      flow: up,
      code: await latestCode(app, '+14155552671'),
    });
    await enrolTotp(c, clock);

    const { c: d, res, flow } = await passwordStep('fin@clinic.org');
    expect(res.json().flow).toMatchObject({
      secondFactor: { method: 'totp' },
      channels: ['sms', 'voice'],
    });
    // strong-mfa: email is not a second factor.
    expect(
      (await d.post('/api/v1/sign-in/resend-code', { flow, channel: 'email' })).json().error.code,
    ).toBe('CHANNEL_NOT_AVAILABLE');
    const texted = await d.post('/api/v1/sign-in/resend-code', { flow, channel: 'sms' });
    expect(texted.json().flow).toMatchObject({
      secondFactor: { method: 'code' },
      destination: '•••• ••• 671',
      code: { channel: 'sms' },
    });
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+14155552671'),
    });
    expect(signed.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'sms',
    ]);
  });
});

describe('replacing and removing the app', () => {
  it('replacing stops the old key at once; removing needs a step-up and tells the user', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start();
    const c = await signedInClient(app, 'gil@clinic.org');
    await stepUpByEmail(c, 'gil@clinic.org');
    const oldKey = await enrolTotp(c, clock);
    await stepUpByEmail(c, 'gil@clinic.org');
    const newKey = await enrolTotp(c, clock);
    expect(newKey).not.toBe(oldKey);

    // Step-up with the app: the old key's code fails, the new one's passes.
    clock.advance(6 * 60_000);
    const up = (await c.post('/api/v1/step-up/start', { channel: 'totp' })).json().flow;
    expect(up).toMatchObject({ method: 'totp', destination: null, code: null });
    expect(up.channels).toEqual(['totp', 'email']);
    const refused = await c.post('/api/v1/step-up/verify', {
      flow: up.flow,
      code: appCode(oldKey, clock.now()),
    });
    expect(refused.json().error.code).toBe('CODE_INVALID');
    const passed = await c.post('/api/v1/step-up/verify', {
      flow: up.flow,
      code: appCode(newKey, clock.now()),
    });
    expect(passed.statusCode).toBe(200);
    const amr = (await c.get('/api/v1/session'))
      .json()
      .session.amr.map((m: { method: string }) => m.method);
    expect(amr).toContain('otp');

    expect((await c.delete('/api/v1/totp')).statusCode).toBe(204);
    expect((await c.get('/api/v1/account/security')).json().totp).toBeNull();
    const texts = (await outbox('gil@clinic.org')).map((m) => m.text);
    expect(texts.some((t) => t.includes('Codes from the old app no longer work.'))).toBe(true);
    expect(texts.some((t) => t.includes('The authenticator app was removed'))).toBe(true);

    expect((await c.delete('/api/v1/totp')).json().error.code).toBe('TOTP_NOT_FOUND');
  });

  it('refuses removal without a fresh step-up', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'hal@clinic.org');
    await enrolTotp(c, clock);
    clock.advance(6 * 60_000);
    expect((await c.delete('/api/v1/totp')).json().error.code).toBe('STEP_UP_REQUIRED');
  });
});

describe('wrong app codes count toward the account limit (S5)', () => {
  it('makes the user wait after five, and locks at the limit', async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    await start(strongMfa);
    const c = await signedInClient(app, 'ian@clinic.org');
    await enrolTotp(c, clock);
    const { c: d, flow } = await passwordStep('ian@clinic.org');
    for (let i = 0; i < 5; i++)
      expect(
        (await pastReminder(d, '/api/v1/sign-in/verify-code', { flow, code: '000000' })).json()
          .error.code,
      ).toBe('CODE_INVALID');
    const waiting = await pastReminder(d, '/api/v1/sign-in/verify-code', { flow, code: '000000' });
    expect(waiting.statusCode).toBe(429);
    expect(waiting.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    // Past every delay, guess after guess, until the 100th failure locks the codes.
    for (let i = 5; i < 100; i++) {
      clock.advance(16 * 60_000);
      const again = await passwordStep('ian@clinic.org');
      await pastReminder(again.c, '/api/v1/sign-in/verify-code', {
        flow: again.flow,
        code: '000000',
      });
    }
    clock.advance(16 * 60_000);
    const last = await passwordStep('ian@clinic.org');
    const locked = await pastReminder(last.c, '/api/v1/sign-in/verify-code', {
      flow: last.flow,
      code: '000000',
    });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
  });
});

describe('encryption key rotation (npm run cli -- reencrypt)', () => {
  // One database outlives several servers, each started with other ENCRYPTION_KEYS.
  let store: Store;
  beforeEach(async () => {
    clock = new FakeClock(SEED_001_REMINDER);
    store = openStore({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(store);
  });
  afterEach(async () => {
    await app?.close();
    await store.close();
  });

  const newKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
  async function restart(keys?: string) {
    await app?.close();
    await start({ ...strongMfa, ...(keys ? { ENCRYPTION_KEYS: keys } : {}) }, store);
  }
  async function enrolled(email: string) {
    return enrolTotp(await signedInClient(app, email), clock);
  }
  async function signInWithApp(email: string, code: string) {
    const step = await passwordStep(email);
    return pastReminder(step.c, '/api/v1/sign-in/verify-code', { flow: step.flow, code });
  }
  const keyIdAtRest = async () =>
    (await store.db.selectFrom('totp_factors').select('key_id').executeTakeFirstOrThrow()).key_id;

  it('reads secrets sealed under an older key, and moves them to the new one', async () => {
    const [k1, k2] = [newKey('k1'), newKey('k2')];
    await restart(k1);
    const key = await enrolled('joy@clinic.org');

    // A new key first, the old one still listed: old secrets still open.
    await restart(`${k2},${k1}`);
    expect((await signInWithApp('joy@clinic.org', appCode(key, clock.now()))).json().status).toBe(
      'signed_in',
    );
    expect(await reencryptSecrets(app.services)).toEqual({ resealed: 1, current: 'k2' });
    expect(await reencryptSecrets(app.services)).toEqual({ resealed: 0, current: 'k2' });

    // The old key gone: the secret was moved, sign-in still works.
    await restart(k2);
    clock.advance(30_000);
    expect((await signInWithApp('joy@clinic.org', appCode(key, clock.now()))).json().status).toBe(
      'signed_in',
    );
    expect(await keyIdAtRest()).toBe('k2');
  });

  it('moves secrets off the key derived from SECRET_KEY once ENCRYPTION_KEYS is set', async () => {
    await restart();
    const key = await enrolled('lea@clinic.org');
    expect(await keyIdAtRest()).toBe('k0');
    await restart(newKey('k1'));
    expect(await reencryptSecrets(app.services)).toEqual({ resealed: 1, current: 'k1' });
    expect((await signInWithApp('lea@clinic.org', appCode(key, clock.now()))).json().status).toBe(
      'signed_in',
    );
    expect(await keyIdAtRest()).toBe('k1');
  });

  it('answers a secret under an unknown key with a clear error, not a crash', async () => {
    await restart(newKey('k1'));
    await enrolled('kim@clinic.org');
    await restart(newKey('k9'));
    const res = await signInWithApp('kim@clinic.org', '123456');
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('DECRYPTION_FAILED');
  });
});
