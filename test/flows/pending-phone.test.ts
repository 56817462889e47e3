/**
 * Issue 13, seed 002's "update your phone number" at the help desk, the user's side: the number an
 * administrator entered is confirmed at the next sign-in by a code sent to it (never to the old
 * one), replaces the saved number, counts as the second factor, is audited (masked only) and told
 * to the user by email and to the old number. The old number works until then: "another way"
 * leaves the new one pending for the next sign-in. Wrong codes count like every code.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Account } from '../../src/store/schema.js';
import { Client, latestCode, outbox, PASSWORD } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

const MOBILE = '+447546123456';
const NEW_MOBILE = '+447400123789';
const LANDLINE = '+442079460123';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(policy = 'sms-required') {
  clock = new FakeClock();
  app = await build({
    config: testConfig({ PORTCULLIS_POLICY: policy, PHONE_DEFAULT_COUNTRY: 'GB' }),
    clock,
  });
}

/** Seed 002's first sign-in: email verified, the phone registered and confirmed. */
async function userWithPhone(email: string): Promise<Account> {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const { flow } = (await c.post('/api/v1/sign-in', { email, password: PASSWORD })).json().flow;
  await c.post('/api/v1/sign-in/verify-email', { flow, code: await latestCode(app, email) });
  await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
  await c.post('/api/v1/sign-in/verify-code', { flow, code: await latestCode(app, MOBILE) });
  clock.advance(61_000); // past the resend cooldown
  return (await app.services.accounts.findByEmail(email))!;
}

/** What the administrator's route stores (the route itself is tested with the admin API). */
const setPending = (acc: Account, e164: string, kind: 'mobile' | 'landline' = 'mobile') =>
  app.services.phones.setPending(acc.id, { e164, country: 'GB', kind }, 'admin-1', clock.now());

const signIn = (c: Client, email: string) =>
  c.post('/api/v1/sign-in', { email, password: PASSWORD });

const auditOf = (acc: Account, action: string) =>
  app.services.store.db
    .selectFrom('audit_events')
    .select(['details', 'actor_id'])
    .where('action', '=', action)
    .where('target_id', '=', acc.id)
    .execute();

describe('a phone number an administrator entered, confirmed at the next sign-in (seed 002)', () => {
  it('sends the code to the new number, replaces the old one with it and tells the user', async () => {
    await start();
    const acc = await userWithPhone('ann@clinic.co.uk');
    await setPending(acc, NEW_MOBILE);
    const oldMessages = (await outbox(app, MOBILE)).length;

    const c = new Client(app);
    const res = await signIn(c, 'ann@clinic.co.uk');
    const flow = res.json().flow;
    expect(flow).toMatchObject({
      step: 'confirm_pending_phone',
      destination: '•••• ••• 789',
      channels: ['sms', 'voice'],
      code: { channel: 'sms', length: 6 },
    });
    // The code went to the new number only.
    expect((await outbox(app, MOBILE)).length).toBe(oldMessages);
    const code = await latestCode(app, NEW_MOBILE);

    // A wrong code counts like every code.
    const wrong = await c.post('/api/v1/sign-in/verify-code', {
      flow: flow.flow,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.json().error).toMatchObject({
      code: 'CODE_INVALID',
      details: { attemptsLeft: 4 },
    });
    const failed = await auditOf(acc, 'code.failed');
    expect(failed.map((e) => JSON.parse(e.details))).toEqual([
      { purpose: 'confirm_pending_phone', result: 'invalid' },
    ]);

    const done = await c.post('/api/v1/sign-in/verify-code', { flow: flow.flow, code });
    expect(done.json().status).toBe('signed_in');
    // A code to a number an AAL2 administrator entered: the second factor.
    expect(done.json().session.aal).toBe('aal2');
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'sms',
    ]);

    expect((await app.services.phones.find(acc.id))?.e164).toBe(NEW_MOBILE);
    expect(await app.services.phones.findPending(acc.id)).toBeUndefined();
    const [changed, ...more] = await auditOf(acc, 'factor.phone_changed');
    expect(more).toEqual([]);
    expect(JSON.parse(changed!.details)).toEqual({
      kind: 'mobile',
      country: 'GB',
      setBy: 'administrator',
      administratorId: 'admin-1',
      masked: '•••• ••• 789',
    });
    expect(changed!.details).not.toContain('7400123789');

    // The old number is told (and gets no code); so is the email.
    const [notice] = await outbox(app, MOBILE);
    expect(notice?.text).toMatch(/changed to a number ending in 789/);
    expect(notice?.text).not.toMatch(/\d{6}/);
    const [mail] = await outbox(app, 'ann@clinic.co.uk');
    expect(mail?.text).toContain(
      'The phone number on your account was changed from •••• ••• 456 to •••• ••• 789.',
    );
    expect(mail?.text).toContain('Your administrator entered it and you confirmed it.');

    // The old number stops: the next sign-in texts the new one.
    const before = (await outbox(app, MOBILE)).length;
    clock.advance(61_000);
    const next = await signIn(new Client(app), 'ann@clinic.co.uk');
    expect(next.json().flow).toMatchObject({ step: 'second_factor', destination: '•••• ••• 789' });
    expect((await outbox(app, MOBILE)).length).toBe(before);
    const again = await new Client(app).post('/api/v1/sign-in/verify-code', {
      flow: next.json().flow.flow,
      code: await latestCode(app, NEW_MOBILE),
    });
    expect(again.json().session.aal).toBe('aal2');
  });

  it('asks for it where the policy asks no second factor at sign-in (email-first), and raises the session', async () => {
    await start('email-first');
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'eve@clinic.co.uk', password: PASSWORD });
    const first = await signIn(c, 'eve@clinic.co.uk');
    await c.post('/api/v1/sign-in/verify-email', {
      flow: first.json().flow.flow,
      code: await latestCode(app, 'eve@clinic.co.uk'),
    });
    const acc = (await app.services.accounts.findByEmail('eve@clinic.co.uk'))!;
    await setPending(acc, NEW_MOBILE);

    const next = new Client(app);
    const res = await signIn(next, 'eve@clinic.co.uk');
    expect(res.json().flow).toMatchObject({ step: 'confirm_pending_phone' });
    const done = await next.post('/api/v1/sign-in/verify-code', {
      flow: res.json().flow.flow,
      code: await latestCode(app, NEW_MOBILE),
    });
    expect(done.json().status).toBe('signed_in');
    expect((await next.get('/api/v1/session')).json().session.aal).toBe('aal2');
    expect((await app.services.phones.find(acc.id))?.e164).toBe(NEW_MOBILE);
  });

  it('lets the user take another way: the old number still works, the new one waits', async () => {
    await start();
    const acc = await userWithPhone('bo@clinic.co.uk');
    await setPending(acc, NEW_MOBILE);
    const c = new Client(app);
    const res = await signIn(c, 'bo@clinic.co.uk');
    const flow = res.json().flow.flow as string;
    const other = await c.post('/api/v1/sign-in/pending-phone/decline', { flow });
    expect(other.json().flow).toMatchObject({ step: 'second_factor', destination: '•••• ••• 456' });
    // Not offered twice in one sign-in.
    const refused = await c.post('/api/v1/sign-in/pending-phone/decline', { flow });
    expect(refused.json().error.code).toBe('FLOW_STATE_CONFLICT');
    const done = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, MOBILE),
    });
    expect(done.json().session.aal).toBe('aal2');
    expect((await app.services.phones.find(acc.id))?.e164).toBe(MOBILE);
    expect((await app.services.phones.findPending(acc.id))?.e164).toBe(NEW_MOBILE);

    // The next sign-in offers it again.
    clock.advance(61_000);
    const next = await signIn(new Client(app), 'bo@clinic.co.uk');
    expect(next.json().flow.step).toBe('confirm_pending_phone');
  });

  it("never lets the new number's code confirm a number the user typed (a code of its own)", async () => {
    await start();
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'eve@clinic.co.uk', password: PASSWORD });
    const acc = (await app.services.accounts.findByEmail('eve@clinic.co.uk'))!;
    await setPending(acc, NEW_MOBILE);
    const { flow } = (await signIn(c, 'eve@clinic.co.uk')).json().flow;
    const verified = await c.post('/api/v1/sign-in/verify-email', {
      flow,
      code: await latestCode(app, 'eve@clinic.co.uk'),
    });
    // A user with no phone yet: the administrator's number first, in place of registering one.
    expect(verified.json().flow.step).toBe('confirm_pending_phone');
    const pendingCode = await latestCode(app, NEW_MOBILE);
    const other = await c.post('/api/v1/sign-in/pending-phone/decline', { flow });
    expect(other.json().flow.step).toBe('enrol_phone');
    await c.post('/api/v1/sign-in/phone', { flow, phone: MOBILE, channel: 'sms' });
    const stolen = await c.post('/api/v1/sign-in/verify-code', { flow, code: pendingCode });
    expect(stolen.json().error.code).toBe('CODE_INVALID');
    expect(await app.services.phones.find(acc.id)).toBeUndefined();
  });

  it('calls a landline with the code, and never sends it by email', async () => {
    await start();
    const acc = await userWithPhone('cy@clinic.co.uk');
    await setPending(acc, LANDLINE, 'landline');
    const c = new Client(app);
    const res = await signIn(c, 'cy@clinic.co.uk');
    expect(res.json().flow).toMatchObject({
      step: 'confirm_pending_phone',
      channels: ['voice'],
      code: { channel: 'voice' },
    });
    const [call] = await outbox(app, LANDLINE);
    expect(call?.channel).toBe('voice');
    const email = await c.post('/api/v1/sign-in/resend-code', {
      flow: res.json().flow.flow,
      channel: 'email',
    });
    expect(email.json().error.code).toBe('CHANNEL_NOT_AVAILABLE');
    const done = await c.post('/api/v1/sign-in/verify-code', {
      flow: res.json().flow.flow,
      code: await latestCode(app, LANDLINE),
    });
    expect(done.json().session.amr.map((m: { method: string }) => m.method)).toEqual([
      'pwd',
      'tel',
    ]);
    expect((await app.services.phones.find(acc.id))?.kind).toBe('landline');
  });

  it('saves only the number the code went to: one entered meanwhile undoes the confirmation', async () => {
    await start();
    const acc = await userWithPhone('dee@clinic.co.uk');
    await setPending(acc, NEW_MOBILE);
    const c = new Client(app);
    const res = await signIn(c, 'dee@clinic.co.uk');
    const code = await latestCode(app, NEW_MOBILE);
    await setPending(acc, '+447400123000');
    const done = await c.post('/api/v1/sign-in/verify-code', { flow: res.json().flow.flow, code });
    expect(done.json().error.code).toBe('FLOW_STATE_CONFLICT');
    expect((await app.services.phones.find(acc.id))?.e164).toBe(MOBILE);
    expect((await app.services.phones.findPending(acc.id))?.e164).toBe('+447400123000');
    expect(await auditOf(acc, 'factor.phone_changed')).toEqual([]);

    // "Resend code" sends to the number entered now, which the next code confirms.
    clock.advance(61_000);
    const resent = await c.post('/api/v1/sign-in/resend-code', { flow: res.json().flow.flow });
    expect(resent.json().flow.destination).toBe('•••• ••• 000');
    const confirmed = await c.post('/api/v1/sign-in/verify-code', {
      flow: res.json().flow.flow,
      code: await latestCode(app, '+447400123000'),
    });
    expect(confirmed.json().status).toBe('signed_in');
    expect((await app.services.phones.find(acc.id))?.e164).toBe('+447400123000');
  });
});
