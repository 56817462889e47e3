/**
 * Seed 002's help desk through the admin API, on SQLite and PostgreSQL: an administrator finds a
 * user and turns MFA off for a while (never past the policy's `maxHours`, and it ends by itself),
 * deactivates (the user's sessions stop at once) and reactivates, unlocks, sets a pending phone,
 * resets a factor, asks for a new password and makes a member an organisation administrator. Each
 * action is audited with actor, target, organisation and reason, and the user is told; a change
 * and its audit row are one unit (a failure between them leaves neither).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import {
  Client,
  finishSignIn,
  latestCode,
  outbox,
  PASSWORD,
  signedInClient,
} from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

const HOUR = 3_600_000;
let app: FastifyInstance;
let clock: FakeClock;
let admin: AdminClient;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock();
  app = await build({ config: testConfig(env), clock });
  admin = await adminAtAal2(app, 'root@clinic.org');
  await freshStepUp(admin.id);
}

/** The administrator's step-up, fresh now (how a step-up is passed is the step-up tests'). */
async function freshStepUp(accountId: string) {
  await app.services.store.db
    .updateTable('sessions')
    .set({ step_up_at: clock.now() })
    .where('account_id', '=', accountId)
    .execute();
}

async function userId(email: string): Promise<string> {
  return (await app.services.accounts.findByEmail(email))!.id;
}

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

/** A new AAL2 session for the administrator (after the clock passed the old one's lifetime). */
async function signInAgain(who: AdminClient) {
  const now = clock.now();
  const { token } = await app.services.sessions.create({
    accountId: who.id,
    aal: 'aal2',
    amr: [
      { method: 'pwd', at: now },
      { method: 'otp', at: now },
    ],
    origin: { ip: '203.0.113.9', userAgent: 'vitest admin' },
  });
  who.c.cookie = `${who.c.cookie!.split('=')[0]}=${token}`;
}

const detail = async (id: string) => (await admin.c.get(`/api/v1/admin/users/${id}`)).json();

/** The newest event of `action` (on `targetId`, when given: the fake clock gives ties in `at`). */
async function auditRow(action: string, targetId?: string) {
  let query = app.services.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action);
  if (targetId) query = query.where('target_id', '=', targetId);
  return query.orderBy('at', 'desc').executeTakeFirst();
}

describe('turning MFA off for a while', () => {
  it('lasts no longer than the policy allows, shows while it lasts, and ends by itself', async () => {
    await start();
    await signedInClient(app, 'ana@clinic.org');
    const id = await userId('ana@clinic.org');
    const tooLong = await admin.c.post(`/api/v1/admin/users/${id}/mfa-exemption`, {
      reason: 'lost phone',
      hours: 73,
    });
    expect(tooLong.json().error).toMatchObject({ code: 'EXEMPTION_TOO_LONG' });

    const res = await admin.c.post(`/api/v1/admin/users/${id}/mfa-exemption`, {
      reason: 'Lost her phone on holiday',
    });
    expect(res.statusCode).toBe(200);
    expect(Date.parse(res.json().mfaOffUntil)).toBe(clock.now() + 24 * HOUR);
    expect((await detail(id)).user.mfaOffUntil).toBe(res.json().mfaOffUntil);
    const listed = await admin.c.get('/api/v1/admin/users?state=mfa_off');
    expect(listed.json().users.map((u: { id: string }) => u.id)).toEqual([id]);

    const row = await auditRow('admin.mfa_exempted');
    expect(row).toMatchObject({
      actor_id: admin.id,
      target_id: id,
      reason: 'Lost her phone on holiday',
    });
    expect((await outbox(app, 'ana@clinic.org'))[0]!.text).toContain(
      'turned multi-factor authentication off',
    );

    clock.advance(24 * HOUR + 1);
    await signInAgain(admin);
    expect((await detail(id)).user.mfaOffUntil).toBeNull();
    expect((await admin.c.get('/api/v1/admin/users?state=mfa_off')).json().users).toEqual([]);
    const ended = await admin.c.delete(`/api/v1/admin/users/${id}/mfa-exemption`);
    expect(ended.json().error).toMatchObject({ code: 'NOT_EXEMPT' });
  });

  it('is refused where the policy allows none (seed 001, strong-mfa), as is restoring a recovery code', async () => {
    await start({ PORTCULLIS_POLICY: 'strong-mfa' });
    const now = clock.now();
    const id = 'strongUser1';
    await app.services.store.db
      .insertInto('accounts')
      .values({
        id,
        email: 'sam@clinic.org',
        email_normalized: 'sam@clinic.org',
        email_verified_at: now,
        password_hash: null,
        state: 'active',
        role: 'user',
        created_at: now,
        updated_at: now,
        phone_offer_dismissed_at: null,
        organisation_id: null,
        display_name: null,
        name_key: null,
        mfa_exempt_until: null,
      })
      .execute();
    const exempt = await admin.c.post(`/api/v1/admin/users/${id}/mfa-exemption`, {
      reason: 'asked',
    });
    expect(exempt.json().error).toMatchObject({ code: 'ADMIN_ACTION_NOT_ALLOWED' });
    const reset = await admin.c.post(`/api/v1/admin/users/${id}/factors/reset`, {
      factor: 'recovery_code',
      reason: 'lost it',
    });
    expect(reset.json().error).toMatchObject({ code: 'ADMIN_ACTION_NOT_ALLOWED' });
    expect((await detail(id)).allowed).toMatchObject({
      mfaExemption: { allowed: false },
      factorReset: ['phone', 'totp', 'passkey'],
    });
  });

  it('is written with its audit row or not at all', async () => {
    await start();
    await signedInClient(app, 'ana@clinic.org');
    const id = await userId('ana@clinic.org');
    const audit = app.services.audit;
    const record = audit.record;
    audit.record = async () => {
      throw new Error('disk full');
    };
    const res = await admin.c.post(`/api/v1/admin/users/${id}/mfa-exemption`, { reason: 'x' });
    audit.record = record;
    expect(res.statusCode).toBe(500);
    expect((await detail(id)).user.mfaOffUntil).toBeNull();
    expect(await auditRow('admin.mfa_exempted')).toBeUndefined();
  });
});

describe('deactivating, reactivating and unlocking', () => {
  it("stops the user's sessions at once, and lets them sign in again once reactivated", async () => {
    await start();
    const user = await signedInClient(app, 'ana@clinic.org');
    const id = await userId('ana@clinic.org');
    expect((await user.get('/api/v1/session')).statusCode).toBe(200);
    const off = await admin.c.post(`/api/v1/admin/users/${id}/deactivate`, { reason: 'left' });
    expect(off.statusCode).toBe(204);
    expect((await user.get('/api/v1/session')).statusCode).toBe(401);
    const again = await new Client(app).post('/api/v1/sign-in', {
      email: 'ana@clinic.org',
      password: PASSWORD,
    });
    expect(again.json().status).not.toBe('signed_in');
    expect((await admin.c.post(`/api/v1/admin/users/${id}/reactivate`, {})).statusCode).toBe(204);
    expect((await detail(id)).user.state).toBe('active');
  });

  it('finds a user locked by wrong passwords, and unlocks them (S5)', async () => {
    await start();
    await signedInClient(app, 'ana@clinic.org');
    const id = await userId('ana@clinic.org');
    const wrong = () =>
      new Client(app).post('/api/v1/sign-in', { email: 'ana@clinic.org', password: 'not it' });
    let last = await wrong();
    for (let i = 0; i < 120 && last.json().error?.code !== 'ACCOUNT_LOCKED'; i++) {
      clock.advance(HOUR); // past each wait, so every try counts
      last = await wrong();
    }
    expect(last.json().error).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    await signInAgain(admin);
    expect((await detail(id)).user.locked).toBe(true);
    const locked = (await admin.c.get('/api/v1/admin/users?state=locked')).json().users;
    expect(locked.map((u: { id: string }) => u.id)).toEqual([id]);

    expect((await admin.c.post(`/api/v1/admin/users/${id}/unlock`, {})).statusCode).toBe(204);
    expect((await detail(id)).user.locked).toBe(false);
    expect(await auditRow('admin.unlocked')).toMatchObject({ target_id: id });
    const back = await new Client(app).post('/api/v1/sign-in', {
      email: 'ana@clinic.org',
      password: PASSWORD,
    });
    expect(back.statusCode).toBe(200);
  });
});

describe('phones and factors', () => {
  it('stores a new number as pending, checked as the user’s own, with the old one kept', async () => {
    await start();
    await userWithPhone('ana@clinic.org', '+14155552671');
    const id = await userId('ana@clinic.org');
    const bad = await admin.c.post(`/api/v1/admin/users/${id}/phone`, {
      phone: '+1 415 555 2672 ext. 12',
      reason: 'wrong number',
    });
    expect(bad.json().error).toMatchObject({ code: 'PHONE_EXTENSION_NOT_ALLOWED' });
    const res = await admin.c.post(`/api/v1/admin/users/${id}/phone`, {
      phone: '+14155552672',
      reason: 'Incorrect phone number registered',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().pendingPhone).toMatch(/672$/);
    const seen = await detail(id);
    expect(seen.factors.phone.masked).toMatch(/671$/);
    expect(seen.factors.pendingPhone.masked).toMatch(/672$/);
    const row = await auditRow('admin.phone_set');
    expect(JSON.stringify(row)).not.toContain('+14155552672');
  });

  it('resets a factor: removed, told, and refused when it is not held', async () => {
    await start();
    await userWithPhone('ana@clinic.org', '+14155552671');
    const id = await userId('ana@clinic.org');
    const reset = () =>
      admin.c.post(`/api/v1/admin/users/${id}/factors/reset`, { factor: 'phone', reason: 'lost' });
    expect((await reset()).statusCode).toBe(204);
    expect((await detail(id)).factors.phone).toBeNull();
    expect((await reset()).json().error).toMatchObject({ code: 'FACTOR_NOT_HELD' });
    expect((await outbox(app, 'ana@clinic.org'))[0]!.text).toContain('removed your phone number');
    const passkey = await admin.c.post(`/api/v1/admin/users/${id}/factors/reset`, {
      factor: 'passkey',
      reason: 'lost',
    });
    expect(passkey.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it("asks for a reset factor again at the user's next sign-in, where the policy needs it (seed 002)", async () => {
    await start({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'ann@clinic.co.uk', password: PASSWORD });
    const { flow } = (
      await c.post('/api/v1/sign-in', { email: 'ann@clinic.co.uk', password: PASSWORD })
    ).json().flow;
    await c.post('/api/v1/sign-in/verify-email', {
      flow,
      code: await latestCode(app, 'ann@clinic.co.uk'),
    });
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+447546123456', channel: 'sms' });
    await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, '+447546123456'),
    });
    const id = await userId('ann@clinic.co.uk');
    const reset = await admin.c.post(`/api/v1/admin/users/${id}/factors/reset`, {
      factor: 'phone',
      reason: 'Ticket 4714: phone lost',
    });
    expect(reset.statusCode).toBe(204);
    const next = await new Client(app).post('/api/v1/sign-in', {
      email: 'ann@clinic.co.uk',
      password: PASSWORD,
    });
    expect(next.json().flow).toMatchObject({ step: 'enrol_phone' });
  });

  it('asks the user to set a new password, the usual way, without the admin seeing one', async () => {
    await start();
    await signedInClient(app, 'ana@clinic.org');
    const id = await userId('ana@clinic.org');
    const res = await admin.c.post(`/api/v1/admin/users/${id}/password-reset`, {});
    expect(res.statusCode).toBe(204);
    const [mail] = await outbox(app, 'ana@clinic.org');
    expect(mail!.subject).toMatch(/Set a new .* password/);
    expect(mail!.text).toContain('/forgot-password?email=ana%40clinic.org');
  });
});

describe('invitations', () => {
  it('are sent again with a new link (the old one stops) or revoked, while the user is invited', async () => {
    await start();
    const invited = await admin.c.post('/api/v1/admin/invitations', { email: 'new@clinic.org' });
    const first = new URL(invited.json().link).searchParams.get('token')!;
    const id = await userId('new@clinic.org');
    const lookup = (token: string) => new Client(app).post('/api/v1/invitations/lookup', { token });
    const statusOf = async (token: string) => (await lookup(token)).statusCode;
    const firstWorks = await statusOf(first);
    expect(firstWorks).toBe(200);

    const again = await admin.c.post(`/api/v1/admin/users/${id}/invitation/resend`, {});
    expect(again.statusCode).toBe(200);
    // The new link is the one that is not the first (the fake clock gives both mails one time).
    const tokens = (await outbox(app, 'new@clinic.org')).map(
      (m) => /token=([^\s&]+)/.exec(m.text)?.[1],
    );
    const second = tokens.find((k) => k !== undefined && decodeURIComponent(k) !== first)!;
    expect(await statusOf(decodeURIComponent(second))).toBe(firstWorks);
    expect(await statusOf(first)).not.toBe(firstWorks);

    const revoked = await admin.c.delete(`/api/v1/admin/users/${id}/invitation`, {
      reason: 'wrong address',
    });
    expect(revoked.statusCode).toBe(204);
    expect(await statusOf(decodeURIComponent(second))).not.toBe(firstWorks);
    expect(await auditRow('account.invitation_revoked')).toMatchObject({
      actor_id: admin.id,
      target_id: id,
      reason: 'wrong address',
    });
    const twice = await admin.c.delete(`/api/v1/admin/users/${id}/invitation`, {});
    expect(twice.json().error).toMatchObject({ code: 'NOT_INVITED' });

    await signedInClient(app, 'ana@clinic.org');
    const active = await userId('ana@clinic.org');
    const resend = await admin.c.post(`/api/v1/admin/users/${active}/invitation/resend`, {});
    expect(resend.json().error).toMatchObject({ code: 'NOT_INVITED' });
  });
});

describe('organisation administrators', () => {
  it('are made from members only, and then see only their members', async () => {
    await start();
    await signedInClient(app, 'ana@clinic.org');
    await signedInClient(app, 'olu@clinic.org');
    await signedInClient(app, 'zed@elsewhere.org');
    const ana = await userId('ana@clinic.org');
    const notMember = await admin.c.put(`/api/v1/admin/users/${ana}/role`, { role: 'org_admin' });
    expect(notMember.json().error).toMatchObject({ code: 'NOT_IN_ORGANISATION' });

    const org = (await admin.c.post('/api/v1/admin/organisations', { name: 'North Clinic' })).json()
      .organisation.id;
    for (const email of ['ana@clinic.org', 'olu@clinic.org'])
      await admin.c.post(`/api/v1/admin/organisations/${org}/members`, { email });
    const made = await admin.c.put(`/api/v1/admin/users/${ana}/role`, {
      role: 'org_admin',
      reason: 'runs the front desk',
    });
    expect(made.statusCode).toBe(204);
    expect(await auditRow('admin.role_changed')).toMatchObject({
      target_id: ana,
      organisation_id: org,
    });

    // Ana signs in as an organisation administrator: her session says so.
    clock.advance(1000); // after her first sign-in, made before she joined
    const signingIn = new Client(app);
    await finishSignIn(
      signingIn,
      await signingIn.post('/api/v1/sign-in', { email: 'ana@clinic.org', password: PASSWORD }),
      'ana@clinic.org',
    );
    expect((await signingIn.get('/api/v1/session')).json().user.role).toBe('org_admin');
    // Her sign-in belongs to her organisation's audit log (the target's organisation, unless said).
    expect(await auditRow('sign_in.succeeded', ana)).toMatchObject({ organisation_id: org });

    // At AAL2 (made as the sign-in would make it) she searches.
    const now = clock.now();
    const { token } = await app.services.sessions.create({
      accountId: ana,
      aal: 'aal2',
      amr: [
        { method: 'pwd', at: now },
        { method: 'otp', at: now },
      ],
      origin: { ip: '203.0.113.9', userAgent: 'vitest' },
    });
    const orgAdmin = new Client(app);
    orgAdmin.cookie = `${admin.c.cookie!.split('=')[0]}=${token}`;
    const found = (await orgAdmin.get('/api/v1/admin/users?sort=email')).json().users;
    expect(found.map((u: { email: string }) => u.email)).toEqual(['olu@clinic.org']);
    const zed = await userId('zed@elsewhere.org');
    const other = await orgAdmin.get(`/api/v1/admin/users/${zed}`);
    expect(other.json().error).toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
