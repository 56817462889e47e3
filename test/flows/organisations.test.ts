/**
 * The policy engine through the admin API (issue 6): an administrator switches the deployment's
 * preset or writes a document, and it applies at the next request — the pages' configuration,
 * the step-up methods offered, which factor may be removed, the length of codes — with no
 * restart; a bad document is refused with the field named. An organisation's override tightens
 * the policy of its members only, never loosens it, and a member removed gets the deployment's
 * policy again. Every change is audited with the administrator as actor.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { Client, latestCode, outbox, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
let clock: FakeClock;
let admin: AdminClient;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock();
  app = await build({ config: testConfig(env), clock });
  admin = await adminAtAal2(app, 'root@clinic.org');
}

/** A signed-in user with a confirmed mobile phone (added after a step-up by email). */
async function userWithPhone(email: string, phone: string): Promise<Client> {
  const c = await signedInClient(app, email);
  await stepUpByEmail(c, email);
  const sent = await c.post('/api/v1/phone/start', { phone, channel: 'sms' });
  const confirmed = await c.post('/api/v1/phone/confirm', {
    flow: sent.json().flow.flow,
    code: await latestCode(app, phone),
  });
  if (confirmed.statusCode !== 200) throw new Error(`phone not added: ${confirmed.body}`);
  return c;
}

const security = async (c: Client) => (await c.get('/api/v1/account/security')).json();
const config = async () => (await app.inject({ url: '/api/v1/config' })).json();

/** The policy and organisation events an administrator caused, oldest first. */
async function adminEvents(
  actorId: string,
): Promise<{ action: string; target_id: string | null }[]> {
  const rows = await app.services.store.db
    .selectFrom('audit_events')
    .select(['action', 'target_id'])
    .where('actor_id', '=', actorId)
    .where((eb) =>
      eb.or([eb('action', 'like', 'policy.%'), eb('action', 'like', 'organisation.%')]),
    )
    .orderBy('at')
    .execute();
  return rows;
}
const auditActions = async (actorId: string) => (await adminEvents(actorId)).map((e) => e.action);

async function createOrganisation(name: string, override?: object): Promise<string> {
  const res = await admin.c.post('/api/v1/admin/organisations', {
    name,
    ...(override ? { override } : {}),
  });
  if (res.statusCode !== 201) throw new Error(`organisation not created: ${res.body}`);
  return res.json().organisation.id;
}

describe("the deployment's policy, set by an administrator", () => {
  it('switches the preset at the next request, and goes back to the configured one', async () => {
    await start();
    const pat = await userWithPhone('pat@clinic.org', '+14155552671');
    const before = await admin.c.get('/api/v1/admin/policy');
    expect(before.json()).toMatchObject({
      source: 'configuration',
      document: null,
      updatedBy: null,
      policy: { preset: 'email-first', emailStepUp: true },
    });
    expect((await security(pat)).stepUp.methods).toEqual(['sms', 'voice', 'email']);
    expect((await security(pat)).phoneRemovable).toBe(true);

    const set = await admin.c.put('/api/v1/admin/policy', { extends: 'strong-mfa' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      source: 'administrator',
      document: { extends: 'strong-mfa' },
      updatedAt: new Date(clock.now()).toISOString(),
      updatedBy: { id: admin.id, email: 'root@clinic.org' },
      policy: { preset: 'strong-mfa', emailStepUp: false, passwordReset: ['recovery_code'] },
    });

    // The next requests: the pages' configuration, the step-up methods, removal.
    expect(await config()).toMatchObject({
      policy: 'strong-mfa',
      passwordReset: ['recovery_code'],
    });
    const strong = await security(pat);
    expect(strong.stepUp.methods).toEqual(['sms', 'voice']);
    expect(strong.recoveryCodeRequired).toBe(true);
    // Password + phone is what meets strong-mfa's minimum, which binds since 7 March 2025.
    expect(strong.phoneRemovable).toBe(false);
    const byEmail = await pat.post('/api/v1/step-up/start', { channel: 'email' });
    expect(byEmail.json().error.code).toBe('METHOD_NOT_AVAILABLE');
    const refused = await pat.delete('/api/v1/phone');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('FACTOR_REQUIRED');

    clock.advance(1); // events in order by time: equal times have no order (audit indexes)
    const cleared = await admin.c.delete('/api/v1/admin/policy');
    expect(cleared.json()).toMatchObject({
      source: 'configuration',
      document: null,
      policy: { preset: 'email-first' },
    });
    expect(await config()).toMatchObject({ policy: 'email-first', passwordReset: ['email'] });
    expect((await security(pat)).stepUp.methods).toEqual(['sms', 'voice', 'email']);
    expect((await pat.delete('/api/v1/phone')).statusCode).toBe(204);

    expect(await auditActions(admin.id)).toEqual([
      'policy.deployment_set',
      'policy.deployment_cleared',
    ]);
  });

  it('takes a custom document (its code length applies to the next code) and refuses a bad one, naming each field', async () => {
    await start();
    const pat = await signedInClient(app, 'pat@clinic.org');
    const custom = { extends: 'email-first', name: 'North Clinic portal', codeLength: 8 };
    const set = await admin.c.put('/api/v1/admin/policy', custom);
    expect(set.json()).toMatchObject({
      document: custom,
      policy: { name: 'North Clinic portal', preset: 'email-first', codeLength: 8 },
    });
    const started = await pat.post('/api/v1/step-up/start', { channel: 'email' });
    expect(started.json().flow.code).toMatchObject({ channel: 'email', length: 8 });
    expect((await outbox(app, 'pat@clinic.org'))[0]?.text).toMatch(/\b\d{8}\b/);

    const bad = await admin.c.put('/api/v1/admin/policy', {
      extends: 'strong-mfa',
      codeLength: 4,
      mfaAtSignIn: 'sometimes',
      surprise: true,
    });
    expect(bad.statusCode).toBe(400);
    const { code, message, details } = bad.json().error;
    expect(code).toBe('POLICY_INVALID');
    expect(message).toMatch(/^The policy is not valid: /);
    expect(message).toContain('/codeLength: Expected integer to be greater or equal to 6');
    expect(message).toContain('/mfaAtSignIn: Expected one of never, when_enrolled, always');
    expect(message).toContain('/surprise: Unexpected property');
    expect(details.field).toMatch(/^(codeLength|mfaAtSignIn|surprise)$/);
    const noPreset = await admin.c.put('/api/v1/admin/policy', { extends: 'strict' });
    expect(noPreset.json().error.message).toContain(
      '/extends: Expected one of email-first, strong-mfa, sms-required',
    );
    const badDate = await admin.c.put('/api/v1/admin/policy', {
      extends: 'strong-mfa',
      enforcement: { date: 'next spring', before: 'remind', after: 'block' },
    });
    expect(badDate.json().error.message).toContain('/enforcement/date: Expected an ISO 8601');
    expect((await admin.c.put('/api/v1/admin/policy', 'strong-mfa')).statusCode).toBe(400);

    // Nothing refused was stored.
    expect((await admin.c.get('/api/v1/admin/policy')).json().document).toEqual(custom);
    expect(await auditActions(admin.id)).toEqual(['policy.deployment_set']);
  });
});

describe('organisations', () => {
  it("tighten their members' policy only; a member removed gets the deployment's again", async () => {
    await start();
    const ann = await userWithPhone('ann@clinic.org', '+14155552671');
    const bob = await userWithPhone('bob@clinic.org', '+447546123456');
    const override = {
      emailStepUp: false,
      codeLength: 8,
      mfaAtSignIn: 'always',
      factors: ['password', 'phone', 'passkey', 'recovery_code'],
    };
    const created = await admin.c.post('/api/v1/admin/organisations', {
      name: 'North Clinic',
      override,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      organisation: { name: 'North Clinic', override, memberCount: 0 },
      members: [],
      policy: { preset: 'email-first', emailStepUp: false, codeLength: 8, mfaAtSignIn: 'always' },
    });
    const id = created.json().organisation.id as string;
    const taken = await admin.c.post('/api/v1/admin/organisations', { name: ' north  CLINIC ' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('ORGANISATION_EXISTS');

    clock.advance(1); // events in order by time: equal times have no order (audit indexes)
    const added = await admin.c.post(`/api/v1/admin/organisations/${id}/members`, {
      email: 'Ann@Clinic.org',
    });
    expect(added.json().member).toMatchObject({ email: 'ann@clinic.org' });
    const annId = added.json().member.id as string;
    expect((await admin.c.get('/api/v1/admin/organisations')).json().organisations).toMatchObject([
      { id, name: 'North Clinic', memberCount: 1 },
    ]);
    expect((await admin.c.get(`/api/v1/admin/organisations/${id}`)).json().members).toEqual([
      { id: annId, email: 'ann@clinic.org' },
    ]);
    expect((await outbox(app, 'ann@clinic.org'))[0]?.text).toContain(
      'An administrator added your account to the organisation "North Clinic".',
    );

    // Ann, a member: no email step-up, eight-digit codes, and her phone is her last second factor
    // where every sign-in asks for one. Bob, not a member, keeps the deployment's policy.
    const annNow = await security(ann);
    expect(annNow.stepUp.methods).toEqual(['sms', 'voice']);
    expect(annNow.phoneRemovable).toBe(false);
    expect((await ann.post('/api/v1/step-up/start', { channel: 'email' })).json().error.code).toBe(
      'METHOD_NOT_AVAILABLE',
    );
    const sms = await ann.post('/api/v1/step-up/start', { channel: 'sms' });
    expect(sms.json().flow.code).toMatchObject({ channel: 'sms', length: 8 });
    expect((await outbox(app, '+14155552671'))[0]?.text).toMatch(/\b\d{8}\b/);
    expect((await ann.delete('/api/v1/phone')).json().error.code).toBe('FACTOR_REQUIRED');
    // No authenticator app in North Clinic.
    const app1 = await ann.post('/api/v1/totp/start');
    expect(app1.statusCode).toBe(403);
    expect(app1.json().error.code).toBe('FACTOR_NOT_ALLOWED');
    const bobNow = await security(bob);
    expect(bobNow.stepUp.methods).toEqual(['sms', 'voice', 'email']);
    expect(bobNow.phoneRemovable).toBe(true);
    expect((await bob.post('/api/v1/totp/start')).statusCode).toBe(200);

    clock.advance(1); // events in order by time: equal times have no order (audit indexes)
    const removed = await admin.c.delete(`/api/v1/admin/organisations/${id}/members/${annId}`);
    expect(removed.statusCode).toBe(204);
    expect((await outbox(app, 'ann@clinic.org'))[0]?.text).toContain(
      'An administrator removed your account from the organisation "North Clinic".',
    );
    expect((await security(ann)).stepUp.methods).toEqual(['sms', 'voice', 'email']);
    expect((await ann.delete('/api/v1/phone')).statusCode).toBe(204);
    const again = await admin.c.delete(`/api/v1/admin/organisations/${id}/members/${annId}`);
    expect(again.json().error.code).toBe('MEMBER_NOT_FOUND');

    expect(await adminEvents(admin.id)).toEqual([
      { action: 'organisation.created', target_id: id },
      { action: 'organisation.member_added', target_id: annId },
      { action: 'organisation.member_removed', target_id: annId },
    ]);
  });

  it('cannot loosen the deployment policy: the stricter value wins, whatever the override says', async () => {
    await start({ PORTCULLIS_POLICY: 'strong-mfa' });
    await new Client(app).post('/api/v1/sign-up', { email: 'cal@clinic.org', password: PASSWORD });
    const id = await createOrganisation('South Clinic', {
      emailCodeFallback: true,
      emailStepUp: true,
      mfaAtSignIn: 'never',
      stepUpWindowMs: 3_600_000,
      passwordReset: ['email', 'recovery_code'],
      minimum: [],
      enforcement: { date: null, before: 'none', after: 'none' },
    });
    await admin.c.post(`/api/v1/admin/organisations/${id}/members`, { email: 'cal@clinic.org' });
    const loose = (await admin.c.get(`/api/v1/admin/organisations/${id}`)).json().policy;
    expect(loose).toMatchObject({
      emailCodeFallback: false,
      emailStepUp: false,
      mfaAtSignIn: 'when_enrolled',
      stepUpWindowMs: 300_000,
      passwordReset: ['recovery_code'],
      minimum: [['passkey'], ['totp', 'phone'], ['password', 'phone']],
      enforcement: { date: '2025-03-07T00:00:00.000Z', before: 'remind', after: 'block' },
    });
    const member = await app.services.policies.forAccount(
      (await app.services.accounts.findByEmail('cal@clinic.org'))!.id,
    );
    expect(member).toEqual(loose);

    // A stricter minimum: a passkey, whatever else (the passkey alone meets each alternative).
    const stricter = await admin.c.put(`/api/v1/admin/organisations/${id}/policy`, {
      override: { minimum: [['passkey']] },
    });
    expect(stricter.json().policy.minimum).toEqual([['passkey']]);
    expect(stricter.json().organisation.override).toEqual({ minimum: [['passkey']] });

    const cleared = await admin.c.put(`/api/v1/admin/organisations/${id}/policy`, {
      override: null,
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().organisation.override).toBeNull();
    expect(cleared.json().policy).toEqual(
      (await admin.c.get('/api/v1/admin/policy')).json().policy,
    );

    const bad = await admin.c.put(`/api/v1/admin/organisations/${id}/policy`, {
      override: { extends: 'email-first', name: 'Looser', codeLength: 11 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('POLICY_INVALID');
    for (const field of ['/override/extends', '/override/name', '/override/codeLength'])
      expect(bad.json().error.message).toContain(field);
    const badOnCreate = await admin.c.post('/api/v1/admin/organisations', {
      name: 'East Clinic',
      override: { emailStepUp: 'no' },
    });
    expect(badOnCreate.json().error).toMatchObject({
      code: 'POLICY_INVALID',
      message: 'The policy is not valid: /override/emailStepUp: Expected boolean.',
      details: { field: 'override.emailStepUp' },
    });
    const noName = await admin.c.post('/api/v1/admin/organisations', { override: null });
    expect(noName.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('an account belongs to one organisation at most; unknown ones are named as such', async () => {
    await start();
    await signedInClient(app, 'dee@clinic.org');
    const north = await createOrganisation('North Clinic');
    const south = await createOrganisation('South Clinic');
    const add = (org: string, email: string) =>
      admin.c.post(`/api/v1/admin/organisations/${org}/members`, { email });
    expect((await add(north, 'dee@clinic.org')).statusCode).toBe(200);
    expect((await add(north, 'dee@clinic.org')).statusCode).toBe(200); // already a member
    expect((await add(south, 'dee@clinic.org')).json().error.code).toBe(
      'ACCOUNT_IN_OTHER_ORGANISATION',
    );
    expect((await add(south, 'nobody@clinic.org')).json().error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await add('no-such-id', 'dee@clinic.org')).json().error.code).toBe(
      'ORGANISATION_NOT_FOUND',
    );
    expect((await admin.c.get('/api/v1/admin/organisations/no-such-id')).statusCode).toBe(404);
    expect(
      (
        await admin.c.put('/api/v1/admin/organisations/no-such-id/policy', { override: null })
      ).json().error.code,
    ).toBe('ORGANISATION_NOT_FOUND');
    const list = (await admin.c.get('/api/v1/admin/organisations')).json().organisations;
    expect(list.map((o: { name: string; memberCount: number }) => [o.name, o.memberCount])).toEqual(
      [
        ['North Clinic', 1],
        ['South Clinic', 0],
      ],
    );
  });
});
