/**
 * Issue 13, the user's side of seed 002's help desk ("they can disable MFA temporarily"): while an
 * administrator's exemption lasts, the password alone signs in (AAL1, `pwd`), even for a user who
 * holds a phone or has a recovery code left unsaved; the audit event says MFA was skipped and why;
 * the API shows until when; at its expiry (the clock, no job) the SMS code is asked again.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Account } from '../../src/store/schema.js';
import { Client, latestCode, PASSWORD } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

const MOBILE = '+447546123456';
const HOUR = 3_600_000;
const ORIGIN = { ip: '203.0.113.7', userAgent: 'vitest' };

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start() {
  clock = new FakeClock();
  app = await build({
    config: testConfig({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' }),
    clock,
  });
}

const account = async (email: string): Promise<Account> =>
  (await app.services.accounts.findByEmail(email))!;

/** Seed 002's first sign-in: email verified, the phone registered and confirmed. */
async function userWithPhone(email: string): Promise<Account> {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const { flow } = (await c.post('/api/v1/sign-in', { email, password: PASSWORD })).json().flow;
  await c.post('/api/v1/sign-in/verify-email', { flow, code: await latestCode(app, email) });
  await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
  const done = await c.post('/api/v1/sign-in/verify-code', {
    flow,
    code: await latestCode(app, MOBILE),
  });
  expect(done.json().status).toBe('restart');
  return account(email);
}

/** The help desk turns MFA off for `hours` (the admin service, as the admin route calls it). */
async function exempt(target: Account, hours: number): Promise<number> {
  const actor = { ...target, id: 'help-desk', role: 'admin' as const };
  return app.services.adminUsers.actions.exemptFromMfa(
    { actor, target, reason: 'lost phone', origin: ORIGIN },
    hours,
  );
}

const signIn = (c: Client, email: string) =>
  c.post('/api/v1/sign-in', { email, password: PASSWORD });

describe("an administrator's temporary MFA exemption at sign-in (seed 002)", () => {
  it('signs in with the password alone while it lasts, and asks the SMS code again after it', async () => {
    await start();
    const acc = await userWithPhone('ann@clinic.co.uk');
    const until = await exempt(acc, 24);
    expect(until).toBe(clock.now() + 24 * HOUR);

    const c = new Client(app);
    const res = await signIn(c, 'ann@clinic.co.uk');
    expect(res.json().status).toBe('signed_in');
    expect(res.json().session.aal).toBe('aal1');
    expect(res.json().session.amr.map((m: { method: string }) => m.method)).toEqual(['pwd']);
    expect(res.json().user.mfaExemptUntil).toBe(new Date(until).toISOString());
    // No code was sent to the phone for this sign-in.
    const texts = await app.services.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'code.sent')
      .where('target_id', '=', acc.id)
      .execute();
    expect(texts).toHaveLength(2); // the email code and the phone's confirmation, at first sign-in

    const event = await app.services.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'sign_in.succeeded')
      .where('target_id', '=', acc.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.details)).toEqual({
      methods: 'pwd',
      aal: 'aal1',
      mfaSkipped: 'exemption',
      mfaExemptUntil: until,
    });

    // The pages read it: the session check and the security page.
    expect((await c.get('/api/v1/session')).json().user.mfaExemptUntil).toBe(
      new Date(until).toISOString(),
    );
    expect((await c.get('/api/v1/account/security')).json().mfaExemptUntil).toBe(
      new Date(until).toISOString(),
    );

    // It ends by itself: past the expiry the code is asked again, and the API no longer says so.
    clock.advance(24 * HOUR);
    const later = await signIn(new Client(app), 'ann@clinic.co.uk');
    expect(later.json().flow).toMatchObject({ step: 'second_factor', destination: '•••• ••• 456' });
    const done = await new Client(app).post('/api/v1/sign-in/verify-code', {
      flow: later.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    expect(done.json().session.aal).toBe('aal2');
    expect(done.json().user.mfaExemptUntil).toBeNull();
  });

  it('does not ask to save a recovery code left unsaved while it lasts; asks again after it', async () => {
    await start();
    const acc = await userWithPhone('bo@clinic.co.uk');
    // A code issued and never confirmed saved (a sign-in that ended before "I have saved it").
    await app.services.recovery.issue(acc, 'requested', ORIGIN);
    await exempt(acc, 2);

    const res = await signIn(new Client(app), 'bo@clinic.co.uk');
    expect(res.json().status).toBe('signed_in');
    expect(res.json().session.aal).toBe('aal1');

    clock.advance(2 * HOUR + 1);
    const c = new Client(app);
    const later = await signIn(c, 'bo@clinic.co.uk');
    expect(later.json().flow.step).toBe('second_factor');
    const next = await c.post('/api/v1/sign-in/verify-code', {
      flow: later.json().flow.flow,
      code: await latestCode(app, MOBILE),
    });
    expect(next.json().flow.step).toBe('save_recovery_code');
  });

  it('an expiry already past (set directly) changes nothing: the code is asked', async () => {
    await start();
    const acc = await userWithPhone('cy@clinic.co.uk');
    await app.services.store.db
      .updateTable('accounts')
      .set({ mfa_exempt_until: clock.now() - 1 })
      .where('id', '=', acc.id)
      .execute();
    const res = await signIn(new Client(app), 'cy@clinic.co.uk');
    expect(res.json().flow.step).toBe('second_factor');
    expect(res.json().flow.destination).toBe('•••• ••• 456');
  });
});
