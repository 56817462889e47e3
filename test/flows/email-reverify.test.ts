/**
 * "Verify Email Address" (seed 000's security page): a code to the account's own address, which
 * entered records the address as verified now; audited, the sends limited per hour, a wrong code
 * refused, and the flow bound to the session that started it.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { EMAIL_REVERIFY_LIMITS } from '../../src/accounts/email-reverify.js';
import { latestCode, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start() {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
}

async function verifiedAt(email: string): Promise<number | null> {
  const row = await app.services.store.db
    .selectFrom('accounts')
    .select('email_verified_at')
    .where('email_normalized', '=', email)
    .executeTakeFirstOrThrow();
  return row.email_verified_at === null ? null : Number(row.email_verified_at);
}

describe('verifying the email address again', () => {
  it('sends a code to the address; the code records it as verified now, and is audited', async () => {
    await start();
    const c = await signedInClient(app, 'ada@clinic.org');
    const before = await verifiedAt('ada@clinic.org');
    clock.advance(60_000);

    const started = await c.post('/api/v1/account/email/verify');
    expect(started.statusCode).toBe(200);
    const { flow } = started.json<{ flow: { flow: string; destination: string } }>();
    expect(flow.destination).toMatch(/^\*+@clinic\.org$/);

    const code = await latestCode(app, 'ada@clinic.org');
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await c.post('/api/v1/account/email/verify/confirm', {
      flow: flow.flow,
      code: wrong,
    });
    expect(refused.statusCode).toBe(400);

    const done = await c.post('/api/v1/account/email/verify/confirm', { flow: flow.flow, code });
    expect(done.statusCode).toBe(200);
    expect(done.json<{ email: { verifiedAt: string } }>().email.verifiedAt).toBe(
      new Date(clock.now()).toISOString(),
    );
    expect(await verifiedAt('ada@clinic.org')).toBe(clock.now());
    expect(await verifiedAt('ada@clinic.org')).not.toBe(before);

    const audited = await app.services.store.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['account.email_verified', 'code.sent'])
      .execute();
    expect(audited.filter((e) => e.action === 'code.sent').length).toBeGreaterThanOrEqual(1);
    expect(
      audited.filter((e) => e.action === 'account.email_verified').length,
    ).toBeGreaterThanOrEqual(2);

    // The code is used: the flow is done.
    const again = await c.post('/api/v1/account/email/verify/confirm', { flow: flow.flow, code });
    expect(again.statusCode).not.toBe(200);
  });

  it('limits the codes sent per account per hour', async () => {
    await start();
    const c = await signedInClient(app, 'bo@clinic.org');
    for (let i = 0; i < EMAIL_REVERIFY_LIMITS.perAccountPerHour; i += 1) {
      expect((await c.post('/api/v1/account/email/verify')).statusCode).toBe(200);
    }
    const refused = await c.post('/api/v1/account/email/verify');
    expect(refused.statusCode).toBe(429);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('SEND_LIMIT_REACHED');
  });

  it('refuses a flow from another session, and a signed-out request', async () => {
    await start();
    const c = await signedInClient(app, 'cy@clinic.org');
    const other = await signedInClient(app, 'dee@clinic.org');
    const { flow } = (await c.post('/api/v1/account/email/verify')).json<{
      flow: { flow: string };
    }>();
    const code = await latestCode(app, 'cy@clinic.org');
    const res = await other.post('/api/v1/account/email/verify/confirm', { flow: flow.flow, code });
    expect(res.json<{ error: { code: string } }>().error.code).toBe('FLOW_NOT_FOUND');
    const signedOut = await app.inject({
      method: 'POST',
      url: '/api/v1/account/email/verify',
      headers: { 'x-portcullis-csrf': '1' },
    });
    expect(signedOut.statusCode).toBe(401);
  });
});
