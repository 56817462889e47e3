/**
 * Forgotten password and account recovery (issues 4 and 6; S5, S6, S21, S22). Seed 000: "if you
 * forgot your password … and you are not currently logged in … you will only have the option to
 * verify your identity through email". Seed 001: email is no longer a recovery method — the
 * recovery code, then a code from the authenticator app or the phone. A reset never signs in,
 * never skips the second factor at the next sign-in, ends the sessions when asked, tells the
 * user, and answers the same for an address with no account.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { RESET_LIMITS } from '../../src/flows/password-reset/service.js';
import {
  Client,
  latestCode,
  outbox as outboxFor,
  PASSWORD,
  signedInClient,
  pastReminder,
} from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { addPasskey, ORIGIN } from '../helpers/passkeys.js';
import { appCode, enrolTotp } from '../helpers/totp.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock(SEED_001_REMINDER);
  app = await build({ config: testConfig(env), clock });
}
const strongMfa = { PORTCULLIS_POLICY: 'strong-mfa' };
const smsRequired = { PORTCULLIS_POLICY: 'sms-required' };
const NEW_PASSWORD = 'lantern meadow copper violin';
const outbox = (to: string) => outboxFor(app, to);

async function resetStart(email: string, method: 'email' | 'recovery_code') {
  const c = new Client(app);
  const res = await c.post('/api/v1/password-reset', { email, method });
  return { c, res, flow: res.json().flow?.flow as string };
}

async function signInWith(email: string, password: string) {
  return new Client(app).post('/api/v1/sign-in', { email, password });
}

/** The parts of an answer that may differ between two requests (tokens, times) blanked. */
function shape(res: LightMyRequestResponse) {
  return JSON.parse(
    res.body
      .replace(/"flow":"[^"]+"/g, '"flow":"…"')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'time')
      .replace(/[a-z]+@clinic\.org/g, 'someone@clinic.org'),
  );
}

async function auditOf(action: string) {
  return app.services.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .execute();
}

describe('email-first (seed 000): a forgotten password is reset through email only', () => {
  it('emails a code, takes a new password, ends every session on request, tells the user — and does not sign in', async () => {
    await start();
    const laptop = await signedInClient(app, 'ann@clinic.org');
    const desk = new Client(app);
    await desk.post('/api/v1/sign-in', { email: 'ann@clinic.org', password: PASSWORD });
    expect((await desk.get('/api/v1/session')).statusCode).toBe(200);

    const { c, res, flow } = await resetStart('Ann@Clinic.org', 'email');
    expect(res.statusCode).toBe(200);
    const view = res.json().flow;
    expect(view).toMatchObject({
      step: 'email_code',
      method: 'email',
      email: 'Ann@clinic.org',
      destination: 'Ann@clinic.org',
      secondFactor: null,
      recoveryCode: null,
    });
    expect(view.code).toMatchObject({ channel: 'email', length: 6, attemptsLeft: 5 });
    const [mail] = await outbox('ann@clinic.org');
    expect(mail!.subject).toMatch(/Reset your .* password/);
    expect(mail!.text).toMatch(/verification code is: \d{6}/);

    const verified = await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: await latestCode(app, 'ann@clinic.org'),
    });
    expect(verified.json().flow.step).toBe('new_password');

    // A weak password is refused with its reason, and the step stays open.
    const weak = await c.post('/api/v1/password-reset/password', {
      flow,
      password: 'short',
      endSessions: true,
    });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_SHORT');

    const done = await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({
      status: 'completed',
      message: 'Your password is changed. Sign in with your new password.',
    });
    // S22: no session, no cookie.
    expect(done.headers['set-cookie']).toBeUndefined();
    expect((await c.get('/api/v1/session')).statusCode).toBe(401);

    // Every session ended; the old password is gone, the new one works.
    expect((await laptop.get('/api/v1/session')).statusCode).toBe(401);
    expect((await desk.get('/api/v1/session')).statusCode).toBe(401);
    expect((await signInWith('ann@clinic.org', PASSWORD)).json().error.code).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await signInWith('ann@clinic.org', NEW_PASSWORD)).json().status).toBe('signed_in');

    // The user is told (S21), with no secret in the notice.
    const notice = (await outbox('ann@clinic.org'))[0]!;
    expect(notice.subject).toMatch(/your sign-in details changed/);
    expect(notice.text).toContain('Your password was reset');
    expect(notice.text).toContain('a code sent to this email address');
    expect(notice.text).toContain('signed out everywhere');
    const [audit] = await auditOf('password_reset.completed');
    expect(JSON.parse(audit!.details)).toEqual({ proofs: 'email', sessionsEnded: 2 });

    // The flow is finished: it cannot set a password twice.
    const again = await c.post('/api/v1/password-reset/password', {
      flow,
      password: 'another long password here',
      endSessions: false,
    });
    expect(again.json().error.code).toBe('FLOW_STATE_CONFLICT');
  });

  it('keeps the sessions when the user does not ask to end them', async () => {
    await start();
    const laptop = await signedInClient(app, 'ben@clinic.org');
    const { c, flow } = await resetStart('ben@clinic.org', 'email');
    await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: await latestCode(app, 'ben@clinic.org'),
    });
    await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: false,
    });
    expect((await laptop.get('/api/v1/session')).statusCode).toBe(200);
    expect((await outbox('ben@clinic.org'))[0]!.text).not.toContain('signed out everywhere');
  });

  it('does not offer the recovery code: email is the only way here', async () => {
    await start();
    const res = (await resetStart('ann@clinic.org', 'recovery_code')).res;
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('RESET_METHOD_NOT_ALLOWED');
    expect((await new Client(app).get('/api/v1/config')).json().passwordReset).toEqual(['email']);
  });

  it('S6: an address with no account gets the same answers, and nothing is sent', async () => {
    await start();
    await signedInClient(app, 'cal@clinic.org');
    const known = await resetStart('cal@clinic.org', 'email');
    const unknown = await resetStart('zed@clinic.org', 'email');
    expect(unknown.res.statusCode).toBe(known.res.statusCode);
    expect(shape(unknown.res)).toEqual(shape(known.res));
    expect(await outbox('zed@clinic.org')).toHaveLength(0);

    // Wrong codes: the same "N tries left", the same exhaustion.
    for (let i = 0; i < 5; i++) {
      const a = await known.c.post('/api/v1/password-reset/verify-code', {
        flow: known.flow,
        code: '000000',
      });
      const b = await unknown.c.post('/api/v1/password-reset/verify-code', {
        flow: unknown.flow,
        code: '000000',
      });
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.json()).toEqual(a.json());
    }
    // Resend: the same cooldown, then the same new code view.
    const soonA = await known.c.post('/api/v1/password-reset/resend-code', { flow: known.flow });
    const soonB = await unknown.c.post('/api/v1/password-reset/resend-code', {
      flow: unknown.flow,
    });
    expect(soonB.json()).toEqual(soonA.json());
    expect(soonA.json().error.code).toBe('RESEND_TOO_SOON');
    clock.advance(30_000);
    const resentA = await known.c.post('/api/v1/password-reset/resend-code', { flow: known.flow });
    const resentB = await unknown.c.post('/api/v1/password-reset/resend-code', {
      flow: unknown.flow,
    });
    expect(shape(resentB)).toEqual(shape(resentA));
    expect(resentA.json().flow.code.attemptsLeft).toBe(5);

    // The per-address limit counts the same for both.
    const limitFor = async (email: string) => {
      let res: LightMyRequestResponse | undefined;
      for (let i = 0; i < RESET_LIMITS.perEmailPerHour + 1; i++)
        res = (await resetStart(email, 'email')).res;
      return res!;
    };
    const lastKnown = await limitFor('dee@clinic.org');
    const lastUnknown = await limitFor('nobody@clinic.org');
    expect(lastKnown.statusCode).toBe(429);
    expect(shape(lastUnknown)).toEqual(shape(lastKnown));
    expect(lastUnknown.headers['retry-after']).toBe(lastKnown.headers['retry-after']);
  });

  it('limits the resets one client may start: 20 in 10 minutes, then 429 with Retry-After', async () => {
    await start();
    for (let i = 0; i < RESET_LIMITS.perIpPer10Min; i++)
      expect((await resetStart(`visitor${i}@clinic.org`, 'email')).res.statusCode).toBe(200);
    const over = (await resetStart('one.more@clinic.org', 'email')).res;
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('SEND_LIMIT_REACHED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(await outbox('one.more@clinic.org')).toHaveLength(0);
    clock.advance(10 * 60_000);
    expect((await resetStart('one.more@clinic.org', 'email')).res.statusCode).toBe(200);
  });

  it('counts wrong codes on the account (S5): 5 per code, then a new code', async () => {
    await start();
    await signedInClient(app, 'eve@clinic.org');
    const { c, flow } = await resetStart('eve@clinic.org', 'email');
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 5; i++)
      last = await c.post('/api/v1/password-reset/verify-code', { flow, code: '000000' });
    expect(last!.json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');
    const right = await latestCode(app, 'eve@clinic.org');
    // After 5 failures the account waits a second before the next try (S5), then the code is spent.
    clock.advance(1_000);
    const late = await c.post('/api/v1/password-reset/verify-code', { flow, code: right });
    expect(late.json().error.code).toBe('CODE_ATTEMPTS_EXCEEDED');
    const failed = await auditOf('code.failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(JSON.parse(failed[0]!.details).purpose).toBe('password_reset');
  });

  it('expires with the flow', async () => {
    await start();
    await signedInClient(app, 'fay@clinic.org');
    const { c, flow } = await resetStart('fay@clinic.org', 'email');
    clock.advance(16 * 60_000);
    const res = await c.post('/api/v1/password-reset/verify-code', { flow, code: '123456' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({
      code: 'RESET_NOT_FOUND',
      message: 'This password reset has expired. Start again.',
    });
  });

  it('lifts a password lock: proving who you are is the way out of ACCOUNT_LOCKED', async () => {
    await start();
    await signedInClient(app, 'gil@clinic.org');
    const subject = `password:${app.services.hasher.hash('email', 'gil@clinic.org')}`;
    for (let i = 0; i < 100; i++) {
      clock.advance(16 * 60_000);
      await app.services.throttle.attempt(subject).catch(() => undefined);
    }
    expect((await signInWith('gil@clinic.org', PASSWORD)).json().error.code).toBe('ACCOUNT_LOCKED');
    const { c, flow } = await resetStart('gil@clinic.org', 'email');
    await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: await latestCode(app, 'gil@clinic.org'),
    });
    await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });
    expect((await signInWith('gil@clinic.org', NEW_PASSWORD)).json().status).toBe('signed_in');
  });

  it('sets the password once when the same step is sent twice at the same moment', async () => {
    await start();
    await signedInClient(app, 'hal@clinic.org');
    const { c, flow } = await resetStart('hal@clinic.org', 'email');
    await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: await latestCode(app, 'hal@clinic.org'),
    });
    const both = await Promise.all(
      [NEW_PASSWORD, 'a different long passphrase'].map((password) =>
        c.post('/api/v1/password-reset/password', { flow, password, endSessions: false }),
      ),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await auditOf('password_reset.completed')).toHaveLength(1);
  });
});

describe('sms-required (seed 002): a reset never skips the text-message code', () => {
  it('asks for the phone code at the next sign-in, after an email reset', async () => {
    await start(smsRequired);
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'ida@clinic.org', password: PASSWORD });
    // Register the phone at the first sign-in, as seed 002 does.
    let flow = (
      await c.post('/api/v1/sign-in', { email: 'ida@clinic.org', password: PASSWORD })
    ).json().flow.flow as string;
    await c.post('/api/v1/sign-in/verify-email', {
      flow,
      code: await latestCode(app, 'ida@clinic.org'),
    });
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+447546123456', channel: 'sms' });
    const restart = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+447546123456'),
    });
    expect(restart.json().status).toBe('restart');

    const reset = await resetStart('ida@clinic.org', 'email');
    await reset.c.post('/api/v1/password-reset/verify-code', {
      flow: reset.flow,
      code: await latestCode(app, 'ida@clinic.org'),
    });
    await reset.c.post('/api/v1/password-reset/password', {
      flow: reset.flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });

    const next = await signInWith('ida@clinic.org', NEW_PASSWORD);
    expect(next.json()).toMatchObject({ status: 'continue', flow: { step: 'second_factor' } });
    flow = next.json().flow.flow;
    expect(next.json().flow.channels[0]).toBe('sms');
  });
});

/** Sign up and sign in under strong-mfa, saving the recovery code shown; a signed-in client. */
async function strongMfaUser(email: string) {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const flow = (await c.post('/api/v1/sign-in', { email, password: PASSWORD })).json().flow
    .flow as string;
  // Before seed 001's date: "Skip for Now" at the reminder, then the recovery code to save.
  const saveStep = await pastReminder(c, '/api/v1/sign-in/verify-email', {
    flow,
    code: await latestCode(app, email),
  });
  const recoveryCode = saveStep.json().flow.recoveryCode.code as string;
  await c.post('/api/v1/sign-in/recovery-code-saved', { flow });
  return { c, recoveryCode };
}

async function addPhone(c: Client, phone: string) {
  const sent = await c.post('/api/v1/phone/start', { phone, channel: 'sms' });
  if (sent.statusCode !== 200) throw new Error(sent.body);
  const confirmed = await c.post('/api/v1/phone/confirm', {
    flow: sent.json().flow.flow,
    code: await latestCode(app, phone),
  });
  if (confirmed.statusCode !== 200) throw new Error(confirmed.body);
}

describe('strong-mfa (seed 001): the recovery code and a second factor, never email', () => {
  it('takes the recovery code and an app code, sets the password, spends the code and shows a new one', async () => {
    await start(strongMfa);
    const { c: signedIn, recoveryCode } = await strongMfaUser('jo@clinic.org');
    const key = await enrolTotp(signedIn, clock);
    await signedIn.post('/api/v1/sign-out');

    const email = await resetStart('jo@clinic.org', 'email');
    expect(email.res.json().error.code).toBe('RESET_METHOD_NOT_ALLOWED');
    expect((await new Client(app).get('/api/v1/config')).json().passwordReset).toEqual([
      'recovery_code',
    ]);

    const { c, res, flow } = await resetStart('jo@clinic.org', 'recovery_code');
    expect(res.json().flow).toMatchObject({ step: 'recovery_code', code: null, destination: null });
    const wrong = await c.post('/api/v1/password-reset/recovery-code', {
      flow,
      code: '1111 2222 3333 4444',
    });
    expect(wrong.json().error.code).toBe('RECOVERY_CODE_INVALID');

    const right = await c.post('/api/v1/password-reset/recovery-code', {
      flow,
      code: recoveryCode,
    });
    expect(right.json().flow).toMatchObject({
      step: 'second_factor',
      secondFactor: { current: 'totp', choices: ['totp'] },
      code: null,
    });
    // Checked, not spent yet: a reset given up here would leave the code working.
    const live = await app.services.recovery.live(
      (await app.services.accounts.findByEmail('jo@clinic.org'))!.id,
    );
    expect(live?.used_at).toBeNull();

    const wrongApp = await c.post('/api/v1/password-reset/verify-code', { flow, code: '000000' });
    expect(wrongApp.json().error.code).toBe('CODE_INVALID');
    const confirmed = await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: appCode(key, clock.now()),
    });
    expect(confirmed.json().flow.step).toBe('new_password');

    const set = await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });
    const shown = set.json().flow;
    expect(shown.step).toBe('save_recovery_code');
    expect(shown.recoveryCode.code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(shown.recoveryCode.code).not.toBe(recoveryCode);
    expect(set.headers['set-cookie']).toBeUndefined();
    // Reloading shows the same new code.
    const reloaded = await c.post('/api/v1/password-reset/flow', { flow });
    expect(reloaded.json().flow.recoveryCode.code).toBe(shown.recoveryCode.code);

    const saved = await c.post('/api/v1/password-reset/recovery-code-saved', { flow });
    expect(saved.json().status).toBe('completed');

    // The old code is spent: another reset with it fails.
    const reuse = await resetStart('jo@clinic.org', 'recovery_code');
    const spent = await reuse.c.post('/api/v1/password-reset/recovery-code', {
      flow: reuse.flow,
      code: recoveryCode,
    });
    expect(spent.json().error.code).toBe('RECOVERY_CODE_INVALID');

    // S22: the next sign-in still asks for the app.
    clock.advance(30_000);
    const next = await signInWith('jo@clinic.org', NEW_PASSWORD);
    expect(next.json()).toMatchObject({ status: 'continue', flow: { step: 'second_factor' } });

    const notice = (await outbox('jo@clinic.org'))[0]!;
    expect(notice.text).toContain('your recovery code and a code from your authenticator app');
    expect(notice.text).toContain('Your recovery code was used and no longer works');
    const [audit] = await auditOf('password_reset.completed');
    expect(JSON.parse(audit!.details)).toMatchObject({ proofs: 'recovery_code+totp' });
    const used = await auditOf('recovery_code.used');
    expect(used.map((e) => JSON.parse(e.details).purpose)).toEqual(['password_reset']);
  });

  it('confirms with a code sent to the phone, by text or by call', async () => {
    await start(strongMfa);
    const { c: signedIn, recoveryCode } = await strongMfaUser('kit@clinic.org');
    await addPhone(signedIn, '+14155552671');
    const { c, flow } = await resetStart('kit@clinic.org', 'recovery_code');
    const right = await c.post('/api/v1/password-reset/recovery-code', {
      flow,
      code: recoveryCode,
    });
    expect(right.json().flow).toMatchObject({
      step: 'second_factor',
      destination: '•••• ••• 671',
      secondFactor: { current: 'sms', choices: ['sms', 'voice'] },
      code: { channel: 'sms', length: 6 },
    });
    expect((await outbox('+14155552671'))[0]!.channel).toBe('sms');

    const call = await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'voice' });
    expect(call.json().flow.secondFactor.current).toBe('voice');
    expect((await outbox('+14155552671'))[0]!.channel).toBe('voice');
    const notApp = await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'totp' });
    expect(notApp.json().error.code).toBe('METHOD_NOT_AVAILABLE');

    const confirmed = await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: await latestCode(app, '+14155552671'),
    });
    expect(confirmed.json().flow.step).toBe('new_password');
  });

  it('refuses a recovery code with nothing to confirm it, and leaves the code working', async () => {
    await start(strongMfa);
    const { c: signedIn, recoveryCode } = await strongMfaUser('lee@clinic.org');
    const { c, flow } = await resetStart('lee@clinic.org', 'recovery_code');
    const res = await c.post('/api/v1/password-reset/recovery-code', { flow, code: recoveryCode });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('RESET_NEEDS_SECOND_FACTOR');
    expect((await signedIn.get('/api/v1/account/security')).json().recoveryCode).not.toBeNull();
    const accountId = (await app.services.accounts.findByEmail('lee@clinic.org'))!.id;
    expect((await app.services.recovery.live(accountId))?.used_at).toBeNull();
  });

  it('fails without changing the password when the code was spent at sign-in meanwhile', async () => {
    await start(strongMfa);
    const { c: signedIn, recoveryCode } = await strongMfaUser('max@clinic.org');
    const key = await enrolTotp(signedIn, clock);
    const { c, flow } = await resetStart('max@clinic.org', 'recovery_code');
    await c.post('/api/v1/password-reset/recovery-code', { flow, code: recoveryCode });
    await c.post('/api/v1/password-reset/verify-code', { flow, code: appCode(key, clock.now()) });

    // Meanwhile, the code signs someone in (and is spent there).
    const other = new Client(app);
    const signIn = (
      await other.post('/api/v1/sign-in', { email: 'max@clinic.org', password: PASSWORD })
    ).json().flow.flow as string;
    await other.post('/api/v1/sign-in/method', { flow: signIn, method: 'recovery_code' });
    const used = await pastReminder(other, '/api/v1/sign-in/verify-code', {
      flow: signIn,
      code: recoveryCode,
    });
    expect(used.json().flow.step).toBe('save_recovery_code');

    const set = await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });
    expect(set.json().error.code).toBe('RECOVERY_CODE_INVALID');
    expect((await signInWith('max@clinic.org', NEW_PASSWORD)).json().error.code).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await signedIn.get('/api/v1/session')).statusCode).toBe(200);
  });

  it('S6: a recovery code for an address with no account answers like a wrong one', async () => {
    await start(strongMfa);
    await strongMfaUser('ned@clinic.org');
    const known = await resetStart('ned@clinic.org', 'recovery_code');
    const unknown = await resetStart('nemo@clinic.org', 'recovery_code');
    expect(shape(unknown.res)).toEqual(shape(known.res));
    for (let i = 0; i < 6; i++) {
      const a = await known.c.post('/api/v1/password-reset/recovery-code', {
        flow: known.flow,
        code: '1234 5678 9012 3456',
      });
      const b = await unknown.c.post('/api/v1/password-reset/recovery-code', {
        flow: unknown.flow,
        code: '1234 5678 9012 3456',
      });
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.json()).toEqual(a.json());
      expect(b.headers['retry-after']).toBe(a.headers['retry-after']);
    }
  });
});

describe('strong-mfa: a passkey confirms the recovery code', () => {
  /** A strong-mfa user whose only second factor is a passkey; returns it and the recovery code. */
  async function passkeyOnlyUser(email: string) {
    const { c, recoveryCode } = await strongMfaUser(email);
    const laptop = new SoftwareAuthenticator(ORIGIN);
    // No factor yet: the fresh sign-in vouches for the first one.
    const { credential } = await addPasskey(c, laptop);
    await c.post('/api/v1/sign-out');
    return { laptop, credential, recoveryCode };
  }

  /** Through the recovery code, to the second_factor step; returns the flow and its view. */
  async function toSecondFactor(email: string, recoveryCode: string) {
    const { c, flow } = await resetStart(email, 'recovery_code');
    const res = await c.post('/api/v1/password-reset/recovery-code', { flow, code: recoveryCode });
    expect(res.statusCode).toBe(200);
    return { c, flow, view: res.json().flow };
  }

  it('lets an account whose only second factor is a passkey finish the reset', async () => {
    await start(strongMfa);
    const { laptop, credential, recoveryCode } = await passkeyOnlyUser('pia@clinic.org');
    const { c, flow, view } = await toSecondFactor('pia@clinic.org', recoveryCode);
    expect(view).toMatchObject({
      step: 'second_factor',
      secondFactor: { current: 'passkey', choices: ['passkey'] },
      code: null,
      destination: null,
    });
    const { options } = view.passkey;
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
    expect(options.allowCredentials).toEqual([
      { id: credential.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);

    const verified = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: laptop.get(options),
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().flow).toMatchObject({ step: 'new_password', passkey: null });
    const set = await c.post('/api/v1/password-reset/password', {
      flow,
      password: NEW_PASSWORD,
      endSessions: true,
    });
    expect(set.json().flow.step).toBe('save_recovery_code');
    expect(
      (await c.post('/api/v1/password-reset/recovery-code-saved', { flow })).json().status,
    ).toBe('completed');
    expect(set.headers['set-cookie']).toBeUndefined();

    const notice = (await outbox('pia@clinic.org'))[0]!;
    expect(notice.text).toContain('your recovery code and your passkey');
    const [audit] = await auditOf('password_reset.completed');
    expect(JSON.parse(audit!.details)).toMatchObject({ proofs: 'recovery_code+passkey' });
    // S22: the next sign-in still asks for the passkey.
    const next = await signInWith('pia@clinic.org', NEW_PASSWORD);
    expect(next.json()).toMatchObject({ status: 'continue', flow: { step: 'second_factor' } });
  });

  it("refuses another account's passkey, counting the failure; the ceremony is then spent", async () => {
    await start(strongMfa);
    const { laptop, recoveryCode } = await passkeyOnlyUser('quin@clinic.org');
    const stranger = await passkeyOnlyUser('rex@clinic.org');
    const { c, flow, view } = await toSecondFactor('quin@clinic.org', recoveryCode);
    const { options } = view.passkey;

    const theirs = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: stranger.laptop.get(options, { credential: stranger.credential }),
    });
    expect(theirs.statusCode).toBe(400);
    expect(theirs.json().error.code).toBe('PASSKEY_INVALID');
    const [failed] = await auditOf('code.failed');
    const quin = (await app.services.accounts.findByEmail('quin@clinic.org'))!;
    expect(failed!.target_id).toBe(quin.id);
    expect(JSON.parse(failed!.details)).toMatchObject({ result: 'unknown_credential' });

    // That ceremony is answered: even the right passkey cannot use it now.
    const late = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: laptop.get(options),
    });
    expect(late.json().error.code).toBe('CEREMONY_EXPIRED');
    // Choosing the passkey again makes a new ceremony, which the right passkey answers.
    const again = await c.post('/api/v1/password-reset/second-factor', {
      flow,
      factor: 'passkey',
    });
    const renewed = again.json().flow.passkey.options;
    expect(renewed.challenge).not.toBe(options.challenge);
    const ok = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: laptop.get(renewed),
    });
    expect(ok.json().flow.step).toBe('new_password');
  });

  it('refuses a replayed ceremony answer, and an answer to a replaced or expired ceremony', async () => {
    await start(strongMfa);
    const { laptop, recoveryCode } = await passkeyOnlyUser('sam@clinic.org');
    const { c, flow, view } = await toSecondFactor('sam@clinic.org', recoveryCode);
    const first = view.passkey.options;

    // Replaced: a new ceremony voids the first one's challenge.
    const renewed = (
      await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'passkey' })
    ).json().flow.passkey.options;
    const stale = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: laptop.get(first),
    });
    expect(stale.json().error.code).toBe('PASSKEY_INVALID');

    // Expired: the ceremony lasts its timeout (5 minutes).
    const third = (
      await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'passkey' })
    ).json().flow.passkey.options;
    expect(third.challenge).not.toBe(renewed.challenge);
    clock.advance(third.timeout + 1);
    const expired = await c.post('/api/v1/password-reset/verify-passkey', {
      flow,
      credential: laptop.get(third),
    });
    expect(expired.json().error.code).toBe('CEREMONY_EXPIRED');

    // Replayed: the same accepted answer, sent again.
    const fresh = (
      await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'passkey' })
    ).json().flow.passkey.options;
    const body = { flow, credential: laptop.get(fresh) };
    const accepted = await c.post('/api/v1/password-reset/verify-passkey', body);
    expect(accepted.json().flow.step).toBe('new_password');
    const replay = await c.post('/api/v1/password-reset/verify-passkey', body);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe('FLOW_STATE_CONFLICT');
    // Nor does it answer a new reset's ceremony.
    const other = await toSecondFactor('sam@clinic.org', recoveryCode);
    const moved = await other.c.post('/api/v1/password-reset/verify-passkey', {
      flow: other.flow,
      credential: body.credential,
    });
    expect(moved.json().error.code).toBe('PASSKEY_INVALID');
  });

  it('offers the passkey first, then the app; a code is not the answer to a passkey', async () => {
    await start(strongMfa);
    const { c: signedIn, recoveryCode } = await strongMfaUser('tam@clinic.org');
    const key = await enrolTotp(signedIn, clock);
    await stepUpWithApp(signedIn, key);
    await addPasskey(signedIn, new SoftwareAuthenticator(ORIGIN));
    const { c, flow, view } = await toSecondFactor('tam@clinic.org', recoveryCode);
    expect(view.secondFactor).toEqual({ current: 'passkey', choices: ['passkey', 'totp'] });
    const asCode = await c.post('/api/v1/password-reset/verify-code', { flow, code: '123456' });
    expect(asCode.json().error.code).toBe('FLOW_STATE_CONFLICT');
    const toApp = await c.post('/api/v1/password-reset/second-factor', { flow, factor: 'totp' });
    expect(toApp.json().flow).toMatchObject({ passkey: null, secondFactor: { current: 'totp' } });
    clock.advance(30_000);
    const confirmed = await c.post('/api/v1/password-reset/verify-code', {
      flow,
      code: appCode(key, clock.now()),
    });
    expect(confirmed.json().flow.step).toBe('new_password');
  });
});

describe("an organisation's stricter reset policy", () => {
  it('answers its member as an unknown address, and tells only the owner which ways they have', async () => {
    await start(smsRequired); // the deployment offers email and the recovery code
    await new Client(app).post('/api/v1/sign-up', { email: 'uma@clinic.org', password: PASSWORD });
    const uma = (await app.services.accounts.findByEmail('uma@clinic.org'))!;
    // Uma's organisation allows the recovery code only (as `tighten` would make it).
    const deployment = await app.services.policies.deployment();
    const forAccount = app.services.policies.forAccount.bind(app.services.policies);
    app.services.policies.forAccount = async (id) =>
      id === uma.id ? { ...deployment, passwordReset: ['recovery_code'] } : forAccount(id);

    const member = await resetStart('uma@clinic.org', 'email');
    const unknown = await resetStart('nobody@clinic.org', 'email');
    expect(member.res.statusCode).toBe(200);
    expect(shape(member.res)).toEqual(shape(unknown.res));
    for (let i = 0; i < 3; i++) {
      const a = await member.c.post('/api/v1/password-reset/verify-code', {
        flow: member.flow,
        code: '000000',
      });
      const b = await unknown.c.post('/api/v1/password-reset/verify-code', {
        flow: unknown.flow,
        code: '000000',
      });
      expect(a.json()).toEqual(b.json());
    }
    await app.services.outbox.flush();
    const [told] = await outbox('uma@clinic.org');
    expect(told!.text).toContain('Your organisation does not allow that way');
    expect(told!.text).toContain('choose your recovery code');
    expect(told!.text).not.toMatch(/\d{6}/);
    // Two were asked for (Uma's and the unknown address's): Uma's is the one with her as target.
    const audit = (await auditOf('password_reset.requested')).find((e) => e.target_id === uma.id);
    expect(JSON.parse(audit!.details)).toEqual({ method: 'email', refused: 'organisation_policy' });
  });
});

/** A step-up with the authenticator app (strong-mfa: email does not vouch). */
async function stepUpWithApp(c: Client, key: string) {
  const started = await c.post('/api/v1/step-up/start', { channel: 'totp' });
  if (started.statusCode !== 200) throw new Error(started.body);
  clock.advance(30_000);
  const done = await c.post('/api/v1/step-up/verify', {
    flow: started.json().flow.flow,
    code: appCode(key, clock.now()),
  });
  if (done.statusCode !== 200) throw new Error(done.body);
}
