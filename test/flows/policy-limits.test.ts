/**
 * The policy's limits (issue 6): how long a sent code is valid, per channel, and how long a
 * session lasts. The deployment's settings (EMAIL_CODE_VALIDITY_SECONDS, SMS_CODE_VALIDITY_SECONDS,
 * SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS) are the longest; a policy — the deployment's
 * document or an organisation's override — may only shorten them. Seed 000's "Codes will be valid
 * for 60 seconds" is its preset's phone validity.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { Client, finishSignIn, PASSWORD } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let clock: FakeClock;
let admin: AdminClient;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock();
  app = await build({ config: testConfig(env), clock });
  admin = await adminAtAal2(app, 'root@clinic.org');
}

async function setPolicy(document: Record<string, unknown>) {
  const res = await admin.c.put('/api/v1/admin/policy', document);
  if (res.statusCode !== 200) throw new Error(`policy not set: ${res.body}`);
}

/** Sign up and sign in up to the email-code step: its code's validity. */
async function emailCodeValidity(email: string): Promise<number> {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const res = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
  return res.json().flow.code.validForSeconds;
}

describe('code validity per channel', () => {
  it('seed 000: a text is valid 60 seconds and an email the deployment setting', async () => {
    await start({ SMS_CODE_VALIDITY_SECONDS: '300' });
    expect(app.services.policy.codeValiditySeconds).toEqual({ email: null, phone: 60 });
    const rules = await app.services.challenges.rules(null);
    expect(rules.validityMs).toEqual({ email: 600_000, sms: 60_000, voice: 60_000 });
    expect(await emailCodeValidity('ann@clinic.org')).toBe(600);
  });

  it('a policy shortens the email code; it cannot lengthen past the deployment setting', async () => {
    await start({ EMAIL_CODE_VALIDITY_SECONDS: '300' });
    await setPolicy({ extends: 'email-first', codeValiditySeconds: { email: 120, phone: 60 } });
    expect(await emailCodeValidity('bea@clinic.org')).toBe(120);
    // 600 is a valid document, but the deployment allows 300 at most.
    await setPolicy({ extends: 'email-first', codeValiditySeconds: { email: 600, phone: 600 } });
    expect(await emailCodeValidity('cal@clinic.org')).toBe(300);
    const bad = await admin.c.put('/api/v1/admin/policy', {
      extends: 'email-first',
      codeValiditySeconds: { email: 601, phone: 60 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('POLICY_INVALID');
  });

  it('an organisation shortens it for its members only', async () => {
    await start();
    const org = await admin.c.post('/api/v1/admin/organisations', {
      name: 'North Clinic',
      override: { codeValiditySeconds: { email: 90, phone: null } },
    });
    const orgId = org.json().organisation.id as string;
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'dot@clinic.org', password: PASSWORD });
    await admin.c.post(`/api/v1/admin/organisations/${orgId}/members`, { email: 'dot@clinic.org' });
    const member = await c.post('/api/v1/sign-in', { email: 'dot@clinic.org', password: PASSWORD });
    expect(member.json().flow.code.validForSeconds).toBe(90);
    expect(await emailCodeValidity('eve@clinic.org')).toBe(600);
  });
});

describe('session limits', () => {
  it("a session keeps its policy's idle limit, and the absolute one is capped by the setting", async () => {
    await start({ SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12' });
    await setPolicy({
      extends: 'email-first',
      sessionLimits: { idleMinutes: 10, absoluteHours: 48 },
    });
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'fay@clinic.org', password: PASSWORD });
    const signed = await finishSignIn(
      c,
      await c.post('/api/v1/sign-in', { email: 'fay@clinic.org', password: PASSWORD }),
      'fay@clinic.org',
    );
    const session = signed.json().session;
    const now = clock.now();
    expect(Date.parse(session.idleExpiresAt)).toBe(now + 10 * 60_000);
    // 48 hours asked, 12 allowed by the deployment.
    expect(Date.parse(session.expiresAt)).toBe(now + 12 * 3_600_000);

    clock.advance(9 * 60_000);
    expect((await c.get('/api/v1/session')).statusCode).toBe(200);
    clock.advance(10 * 60_000 + 1);
    // Idle past the policy's 10 minutes (still within the deployment's 30): signed out.
    expect((await c.get('/api/v1/session')).statusCode).toBe(401);
  });
});
