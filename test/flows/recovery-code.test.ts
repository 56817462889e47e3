/**
 * Recovery codes (issue 4; S14, S20, S21): seed 001's "All users will be required to download a
 * recovery code" at sign-in; "Get a new code" on the account page after a step-up; use as the
 * second factor, once, after which a new code is shown and the user is told; only an argon2id
 * hash is stored; wrong codes count toward the account's limit.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import {
  Client,
  latestCode,
  PASSWORD,
  signedInClient,
  outbox as outboxFor,
  pastReminder,
} from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { appCode, enrolTotp, stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock(SEED_001_REMINDER);
  app = await build({ config: testConfig(env), clock });
}
const strongMfa = { PORTCULLIS_POLICY: 'strong-mfa' };

const outbox = (to: string) => outboxFor(app, to);

/** Sign up and sign in under strong-mfa up to the recovery-code step. */
async function firstSignIn(email: string) {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const started = await pastReminder(c, '/api/v1/sign-in', { email, password: PASSWORD });
  const flow = started.json().flow.flow as string;
  const res = await pastReminder(c, '/api/v1/sign-in/verify-email', {
    flow,
    code: await latestCode(app, email),
  });
  return { c, flow, view: res.json().flow };
}

/** Password, then the second-factor step switched to "Use a recovery code". */
async function recoveryStep(email: string) {
  const c = new Client(app);
  const flow = (await pastReminder(c, '/api/v1/sign-in', { email, password: PASSWORD })).json().flow
    .flow as string;
  const switched = await c.post('/api/v1/sign-in/method', { flow, method: 'recovery_code' });
  return { c, flow, view: switched.json().flow };
}

const digitsOf = (code: string) => code.replace(/ /g, '');

describe('strong-mfa: every user saves a recovery code at sign-in', () => {
  it('shows a 16-digit code once, in groups of four, and goes on when the user saved it', async () => {
    await start(strongMfa);
    const { c, flow, view } = await firstSignIn('amy@clinic.org');
    expect(view.step).toBe('save_recovery_code');
    expect(view.recoveryCode.code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(view.recoveryCode.digits).toBe(16);

    // Reloading the page shows the same code (it waits sealed in the flow until saved).
    const reloaded = (await c.post('/api/v1/sign-in/flow', { flow })).json();
    expect(reloaded.flow.recoveryCode.code).toBe(view.recoveryCode.code);

    const done = await pastReminder(c, '/api/v1/sign-in/recovery-code-saved', { flow });
    expect(done.json().status).toBe('signed_in');
    const security = (await c.get('/api/v1/account/security')).json();
    expect(security.recoveryCode).toMatchObject({ digits: 16 });
    expect(security.recoveryCode.savedAt).not.toBeNull();
    expect(security.recoveryCodeRequired).toBe(true);

    // Saved once: the next sign-in does not ask again.
    const again = await pastReminder(new Client(app), '/api/v1/sign-in', {
      email: 'amy@clinic.org',
      password: PASSWORD,
    });
    expect(again.json().status).toBe('signed_in');
  });

  it('stores only an argon2id hash, and the sealed copy leaves the flow once saved', async () => {
    await start(strongMfa);
    const { c, flow, view } = await firstSignIn('bob@clinic.org');
    const code = digitsOf(view.recoveryCode.code);
    const db = app.services.store.db;
    const flowsDuring = JSON.stringify(await db.selectFrom('flows').selectAll().execute());
    expect(flowsDuring).not.toContain(code);
    await pastReminder(c, '/api/v1/sign-in/recovery-code-saved', { flow });
    const row = await db.selectFrom('recovery_codes').selectAll().executeTakeFirstOrThrow();
    expect(row.code_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const everything = JSON.stringify([
      await db.selectFrom('recovery_codes').selectAll().execute(),
      await db.selectFrom('flows').selectAll().execute(),
      await db.selectFrom('audit_events').selectAll().execute(),
      await db.selectFrom('outbox_messages').selectAll().execute(),
    ]);
    expect(everything).not.toContain(code);
    expect(everything).not.toContain(view.recoveryCode.code);
  });

  it('tells the operator once at start that 16 digits are below NIST’s 64 bits', async () => {
    const lines: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    clock = new FakeClock(SEED_001_REMINDER);
    app = await build({
      config: testConfig({ ...strongMfa, LOG_LEVEL: 'info' }),
      clock,
      logStream,
    });
    await signedInClient(app, 'cat@clinic.org');
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => /NIST/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, recoveryCodeDigits: 16, bits: 53 });
  });

  it('uses 20 digits (66 bits) by default, and says nothing', async () => {
    const lines: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    clock = new FakeClock(SEED_001_REMINDER);
    app = await build({ config: testConfig({ LOG_LEVEL: 'info' }), clock, logStream });
    const c = await signedInClient(app, 'dan@clinic.org');
    await stepUpByEmail(c, 'dan@clinic.org');
    const issued = (await c.post('/api/v1/recovery-code')).json().recoveryCode;
    expect(issued.code).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/);
    expect(lines.join('')).not.toContain('NIST');
  });
});

describe('"Get a new code" on the account page', () => {
  it('needs a step-up; the old code stops working and the user is told', async () => {
    await start(strongMfa);
    const { c, flow, view } = await firstSignIn('eva@clinic.org');
    await pastReminder(c, '/api/v1/sign-in/recovery-code-saved', { flow });
    const c2 = new Client(app);
    await pastReminder(c2, '/api/v1/sign-in', { email: 'eva@clinic.org', password: PASSWORD });
    const key = await enrolTotp(c2, clock);
    clock.advance(6 * 60_000);
    expect((await c2.post('/api/v1/recovery-code')).json().error.code).toBe('STEP_UP_REQUIRED');

    // Step-up with the app, then a new code.
    const up = (await c2.post('/api/v1/step-up/start', { channel: 'totp' })).json().flow.flow;
    await c2.post('/api/v1/step-up/verify', { flow: up, code: appCode(key, clock.now()) });
    const fresh = await c2.post('/api/v1/recovery-code');
    expect(fresh.statusCode).toBe(200);
    const newCode = fresh.json().recoveryCode.code as string;
    expect(newCode).not.toBe(view.recoveryCode.code);
    const security = (await c2.get('/api/v1/account/security')).json();
    expect(security.recoveryCode.savedAt).toBeNull();
    expect((await c2.post('/api/v1/recovery-code/saved')).statusCode).toBe(204);
    expect((await c2.get('/api/v1/account/security')).json().recoveryCode.savedAt).not.toBeNull();

    const notices = (await outbox('eva@clinic.org')).map((m) => m.text);
    expect(notices.some((t) => t.includes('The old one no longer works.'))).toBe(true);

    // The old code fails, the new one works.
    const old = await recoveryStep('eva@clinic.org');
    expect(
      (
        await pastReminder(old.c, '/api/v1/sign-in/verify-code', {
          flow: old.flow,
          code: view.recoveryCode.code,
        })
      ).json().error.code,
    ).toBe('RECOVERY_CODE_INVALID');
    expect(
      (
        await pastReminder(old.c, '/api/v1/sign-in/verify-code', { flow: old.flow, code: newCode })
      ).json().flow.step,
    ).toBe('save_recovery_code');
  });
});

describe('signing in with the recovery code', () => {
  async function userWithAppAndCode(email: string) {
    const { c, flow, view } = await firstSignIn(email);
    await pastReminder(c, '/api/v1/sign-in/recovery-code-saved', { flow });
    const c2 = new Client(app);
    await pastReminder(c2, '/api/v1/sign-in', { email, password: PASSWORD });
    await enrolTotp(c2, clock);
    return view.recoveryCode.code as string;
  }

  it('works once; a new code is shown and the user is told; the next sign-in takes the new one', async () => {
    await start(strongMfa);
    const code = await userWithAppAndCode('fay@clinic.org');

    const { c, flow, view } = await recoveryStep('fay@clinic.org');
    expect(view.secondFactor).toEqual({
      method: 'recovery_code',
      alternatives: ['totp', 'recovery_code'],
    });
    // Typed with dashes instead of spaces: still the code.
    const used = await pastReminder(c, '/api/v1/sign-in/verify-code', {
      flow,
      code: code.replace(/ /g, '-'),
    });
    const next = used.json().flow;
    expect(next.step).toBe('save_recovery_code');
    expect(next.recoveryCode.code).not.toBe(code);
    const done = (await pastReminder(c, '/api/v1/sign-in/recovery-code-saved', { flow })).json();
    expect(done.status).toBe('signed_in');
    expect(done.session.aal).toBe('aal2');
    expect(done.session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'recovery_code',
    ]);
    const notices = (await outbox('fay@clinic.org')).map((m) => m.text);
    expect(notices.some((t) => t.includes('Your recovery code was used to sign in'))).toBe(true);

    // The used code is spent; the new one works.
    const again = await recoveryStep('fay@clinic.org');
    expect(
      (
        await pastReminder(again.c, '/api/v1/sign-in/verify-code', { flow: again.flow, code })
      ).json().error.code,
    ).toBe('RECOVERY_CODE_INVALID');
    expect(
      (
        await pastReminder(again.c, '/api/v1/sign-in/verify-code', {
          flow: again.flow,
          code: next.recoveryCode.code,
        })
      ).json().flow.step,
    ).toBe('save_recovery_code');
  });

  it('asks again at the next sign-in when the last code shown was never confirmed saved', async () => {
    await start(strongMfa);
    const first = await firstSignIn('flo@clinic.org');
    await pastReminder(first.c, '/api/v1/sign-in/recovery-code-saved', { flow: first.flow });
    const c = new Client(app);
    await pastReminder(c, '/api/v1/sign-in', { email: 'flo@clinic.org', password: PASSWORD });
    const key = await enrolTotp(c, clock);

    const used = await recoveryStep('flo@clinic.org');
    const shown = (
      await pastReminder(used.c, '/api/v1/sign-in/verify-code', {
        flow: used.flow,
        code: first.view.recoveryCode.code,
      })
    ).json().flow;
    expect(shown.step).toBe('save_recovery_code');
    clock.advance(16 * 60_000); // that sign-in expires before "I have saved it"

    // Signing in with the app: the unconfirmed code is replaced by one the user does see.
    const d = new Client(app);
    const flow = (
      await pastReminder(d, '/api/v1/sign-in', { email: 'flo@clinic.org', password: PASSWORD })
    ).json().flow.flow;
    const next = (
      await pastReminder(d, '/api/v1/sign-in/verify-code', {
        flow,
        code: appCode(key, clock.now()),
      })
    ).json().flow;
    expect(next.step).toBe('save_recovery_code');
    expect(next.recoveryCode.code).not.toBe(shown.recoveryCode.code);
    expect(
      (await pastReminder(d, '/api/v1/sign-in/recovery-code-saved', { flow })).json().status,
    ).toBe('signed_in');
  });

  it('lets exactly one of concurrent uses of one code through', async () => {
    await start(strongMfa);
    const code = await userWithAppAndCode('gus@clinic.org');
    const steps = await Promise.all([1, 2, 3].map(() => recoveryStep('gus@clinic.org')));
    const results = await Promise.all(
      steps.map(({ c, flow }) => pastReminder(c, '/api/v1/sign-in/verify-code', { flow, code })),
    );
    const outcomes = results.map((r) => r.json().flow?.step ?? r.json().error.code).sort();
    expect(outcomes).toEqual([
      'RECOVERY_CODE_INVALID',
      'RECOVERY_CODE_INVALID',
      'save_recovery_code',
    ]);
  });

  it('is not offered to a user without one', async () => {
    await start();
    const c = await signedInClient(app, 'hai@clinic.org');
    await stepUpByEmail(c, 'hai@clinic.org');
    await enrolTotp(c, clock);
    // email-first never asks for a second factor at sign-in; step-up offers no recovery code.
    const methods = (await c.get('/api/v1/account/security')).json().stepUp.methods;
    expect(methods).toEqual(['totp', 'email']);
  });

  it('counts wrong codes toward the account limit and locks at 100', async () => {
    await start(strongMfa);
    await userWithAppAndCode('ivo@clinic.org');
    const { c, flow } = await recoveryStep('ivo@clinic.org');
    for (let i = 0; i < 5; i++)
      expect(
        (
          await pastReminder(c, '/api/v1/sign-in/verify-code', {
            flow,
            code: '1111 2222 3333 4444',
          })
        ).json().error.code,
      ).toBe('RECOVERY_CODE_INVALID');
    const waiting = await pastReminder(c, '/api/v1/sign-in/verify-code', {
      flow,
      code: '1111 2222 3333 4444',
    });
    expect(waiting.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    for (let i = 5; i < 100; i++) {
      clock.advance(16 * 60_000);
      const s = await recoveryStep('ivo@clinic.org');
      await pastReminder(s.c, '/api/v1/sign-in/verify-code', { flow: s.flow, code: 'not a code' });
    }
    clock.advance(16 * 60_000);
    const last = await recoveryStep('ivo@clinic.org');
    const locked = await pastReminder(last.c, '/api/v1/sign-in/verify-code', {
      flow: last.flow,
      code: '1111 2222 3333 4444',
    });
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
  });
});
