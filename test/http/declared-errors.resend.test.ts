/**
 * Issue 12: the security page's resends declare what a send may answer. `POST /phone/resend` and
 * `POST /step-up/resend` send a code as their starts do, so they answer a channel or method the
 * account cannot use, a send limit and an undelivered code with those codes — not (in the test
 * configuration) `500 UNDECLARED_ERROR`; a step-up by text to a phone whose country a redeploy
 * dropped answers PHONE_COUNTRY_NOT_ALLOWED. The clock is fake: the cooldown is walked, not slept.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Sender } from '../../src/delivery/sender.js';
import { openStore } from '../../src/store/dialect.js';
import { Client, latestCode, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

const MOBILE = '+14155552671';
const LANDLINE = '+442079460123';
const COOLDOWN_MS = 31_000;

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}, senders?: Sender[]) {
  clock = new FakeClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  app = await build({ config: testConfig(env), clock, ...(senders ? { senders } : {}) });
}

/** A text provider that is down: every text is undelivered. */
const brokenTexts: Sender = {
  channel: 'sms',
  provider: 'broken',
  send: async () => {
    throw new Error('provider down');
  },
};

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status, code });
}

/** A signed-in client who may make changes now (stepped up by email). */
async function steppedUp(email: string): Promise<Client> {
  const c = await signedInClient(app, email);
  await stepUpByEmail(c, email);
  return c;
}

/** A signed-in client with a confirmed mobile, for step-ups by text. */
async function withPhone(email: string): Promise<Client> {
  const c = await steppedUp(email);
  const added = await c.post('/api/v1/phone/start', { phone: MOBILE, channel: 'sms' });
  const flow = added.json().flow.flow as string;
  const confirmed = await c.post('/api/v1/phone/confirm', {
    flow,
    code: await latestCode(app, MOBILE),
  });
  expect(confirmed.statusCode).toBe(200);
  return c;
}

describe('POST /api/v1/phone/resend', () => {
  it('refuses a text to a landline with CHANNEL_NOT_AVAILABLE', async () => {
    await start();
    const c = await steppedUp('ann@clinic.org');
    const call = await c.post('/api/v1/phone/start', { phone: LANDLINE, channel: 'voice' });
    expect(call.statusCode).toBe(200);
    const flow = call.json().flow.flow as string;
    clock.advance(COOLDOWN_MS);
    expectError(
      await c.post('/api/v1/phone/resend', { flow, channel: 'sms' }),
      400,
      'CHANNEL_NOT_AVAILABLE',
    );
  });

  it('answers SEND_LIMIT_REACHED over the per-number limit', async () => {
    await start({ SMS_LIMIT_PER_NUMBER: '1' });
    const c = await steppedUp('bea@clinic.org');
    const text = await c.post('/api/v1/phone/start', { phone: MOBILE, channel: 'sms' });
    const flow = text.json().flow.flow as string;
    clock.advance(COOLDOWN_MS);
    expectError(await c.post('/api/v1/phone/resend', { flow }), 429, 'SEND_LIMIT_REACHED');
  });

  it('answers DELIVERY_FAILED when the text cannot be sent', async () => {
    await start({}, [brokenTexts]);
    const c = await steppedUp('cal@clinic.org');
    const call = await c.post('/api/v1/phone/start', { phone: MOBILE, channel: 'voice' });
    const flow = call.json().flow.flow as string;
    clock.advance(COOLDOWN_MS);
    expectError(
      await c.post('/api/v1/phone/resend', { flow, channel: 'sms' }),
      502,
      'DELIVERY_FAILED',
    );
  });
});

describe('POST /api/v1/step-up/resend', () => {
  it('refuses a switch to a method the account does not have with METHOD_NOT_AVAILABLE', async () => {
    await start();
    const c = await signedInClient(app, 'dee@clinic.org');
    const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
    const flow = started.json().flow.flow as string;
    expectError(
      await c.post('/api/v1/step-up/resend', { flow, channel: 'totp' }),
      400,
      'METHOD_NOT_AVAILABLE',
    );
  });

  it('answers SEND_LIMIT_REACHED over the per-number limit', async () => {
    await start({ SMS_LIMIT_PER_NUMBER: '2' });
    const c = await withPhone('eve@clinic.org');
    const started = await c.post('/api/v1/step-up/start', { channel: 'sms' });
    expect(started.statusCode).toBe(200);
    const flow = started.json().flow.flow as string;
    clock.advance(COOLDOWN_MS);
    expectError(await c.post('/api/v1/step-up/resend', { flow }), 429, 'SEND_LIMIT_REACHED');
  });

  it('answers SEND_BUDGET_EXHAUSTED, at the start and the resend, once the budget is spent', async () => {
    await start({ SMS_HOURLY_BUDGET: '1' });
    const c = await withPhone('fay@clinic.org');
    expectError(
      await c.post('/api/v1/step-up/start', { channel: 'sms' }),
      429,
      'SEND_BUDGET_EXHAUSTED',
    );
    const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
    const flow = started.json().flow.flow as string;
    clock.advance(COOLDOWN_MS);
    expectError(
      await c.post('/api/v1/step-up/resend', { flow, channel: 'sms' }),
      429,
      'SEND_BUDGET_EXHAUSTED',
    );
  });

  it('answers PHONE_COUNTRY_NOT_ALLOWED, at the start and the resend, once a redeploy drops the country', async () => {
    clock = new FakeClock(Date.UTC(2026, 2, 2, 9, 0, 0));
    const config = testConfig();
    const store = openStore(config.database, { timeoutMs: config.databaseTimeoutMs });
    try {
      app = await build({ config, clock, store });
      const before = await withPhone('gus@clinic.org');
      await app.close();
      // The same database, redeployed with a narrower allow-list: the US mobile stays confirmed.
      const narrowed = { ...config, phone: { ...config.phone, allowedCountries: ['GB'] } };
      app = await build({ config: narrowed, clock, store });
      const c = new Client(app);
      c.cookie = before.cookie;
      await stepUpByEmail(c, 'gus@clinic.org');
      expectError(
        await c.post('/api/v1/step-up/start', { channel: 'sms' }),
        400,
        'PHONE_COUNTRY_NOT_ALLOWED',
      );
      const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
      const flow = started.json().flow.flow as string;
      clock.advance(COOLDOWN_MS);
      expectError(
        await c.post('/api/v1/step-up/resend', { flow, channel: 'sms' }),
        400,
        'PHONE_COUNTRY_NOT_ALLOWED',
      );
    } finally {
      await app.close();
      await store.close();
    }
  });
});
