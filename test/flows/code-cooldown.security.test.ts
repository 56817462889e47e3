/**
 * S10's resend cooldown holds per flow, whatever the number or channel (issue 11, item 7): at
 * sign-in's `confirm_phone`, on the security page's phone form and at a step-up, another number
 * or a new start waits out the 30 seconds like a resend. The one exception is the one the pages
 * offer beside the code: the first switch to another channel for the same person ("Call me"
 * after a text, "Send code to email" after a phone code). A code that was entered, or could not
 * be sent, holds nothing up. The clock is fake: nothing sleeps.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Sender } from '../../src/delivery/sender.js';
import { Client, latestCode, outbox, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

const A = '+14155552671';
const B = '+14155552672';
const C = '+14155552673';

let app: FastifyInstance;
let clock: FakeClock;
afterEach(() => app?.close());

async function start(senders?: Sender[]) {
  clock = new FakeClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  app = await build({ config: testConfig(), clock, ...(senders ? { senders } : {}) });
}

const sentTo = async (to: string) => (await outbox(app, to)).length;

function expectTooSoon(res: LightMyRequestResponse, seconds: number) {
  expect(res.statusCode).toBe(429);
  expect(res.json().error.code).toBe('RESEND_TOO_SOON');
  expect(res.headers['retry-after']).toBe(String(seconds));
}

/** email-first's first sign-in, at the phone offer ("Two-Factor Authentication"). */
async function atPhoneOffer(email: string) {
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const started = await c.post('/api/v1/sign-in', { email, password: PASSWORD });
  const flow = started.json().flow.flow as string;
  const offer = await c.post('/api/v1/sign-in/verify-email', {
    flow,
    code: await latestCode(app, email),
  });
  expect(offer.json().flow.step).toBe('enrol_phone');
  return { c, flow };
}

describe('sign-in: confirm_phone', () => {
  it('holds the cooldown when another number is submitted, and lets "Call me" through once', async () => {
    await start();
    const { c, flow } = await atPhoneOffer('ann@clinic.org');
    const phone = (to: string, channel: 'sms' | 'voice') =>
      c.post('/api/v1/sign-in/phone', { flow, phone: to, channel });

    expect((await phone(A, 'sms')).json().flow.step).toBe('confirm_phone');
    clock.advance(5_000);
    expectTooSoon(await phone(B, 'sms'), 25); // another number: no code at once
    expectTooSoon(await phone(B, 'voice'), 25); // nor a call to it
    expectTooSoon(await phone(A, 'sms'), 25); // the same number again is a resend
    expect(await sentTo(B)).toBe(0);

    // "Call me" to the same number: the first switch to a call goes at once.
    const call = await phone(A, 'voice');
    expect(call.json().flow.code.channel).toBe('voice');
    expect((await outbox(app, A))[0]?.channel).toBe('voice');
    // Back to a text, or a call again, waits from that call.
    clock.advance(10_000);
    expectTooSoon(await phone(A, 'sms'), 20);
    expectTooSoon(await c.post('/api/v1/sign-in/resend-code', { flow, channel: 'voice' }), 20);
    expectTooSoon(await phone(B, 'sms'), 20);

    clock.advance(20_000);
    const other = await phone(B, 'sms');
    expect(other.json().flow).toMatchObject({ step: 'confirm_phone', destination: '•••• ••• 672' });
    expect(await sentTo(B)).toBe(1);
    // The code that went to B confirms B; the flow goes on.
    const confirmed = await c.post('/api/v1/sign-in/verify-code', {
      flow,
      code: await latestCode(app, B),
    });
    expect(confirmed.json().status).toBe('signed_in');
  });

  it('lets another number go at once when the last code could not be sent', async () => {
    const failing: Sender = {
      channel: 'sms',
      provider: 'broken',
      send: async () => {
        throw new Error('provider down');
      },
    };
    await start([failing]);
    const { c, flow } = await atPhoneOffer('bea@clinic.org');
    const text = (to: string) =>
      c.post('/api/v1/sign-in/phone', { flow, phone: to, channel: 'sms' });
    expect((await text(A)).json().error.code).toBe('DELIVERY_FAILED');
    // Not RESEND_TOO_SOON: an undelivered code is void and holds nothing up.
    expect((await text(B)).json().error.code).toBe('DELIVERY_FAILED');
  });
});

describe('security page: adding or changing the phone', () => {
  it('holds the cooldown across new starts with other numbers, with "Call me" once', async () => {
    await start();
    const c = await signedInClient(app, 'cal@clinic.org');
    await stepUpByEmail(c, 'cal@clinic.org');
    const begin = (to: string, channel: 'sms' | 'voice' = 'sms') =>
      c.post('/api/v1/phone/start', { phone: to, channel });

    const first = await begin(A);
    expect(first.statusCode).toBe(200);
    clock.advance(1_000);
    expectTooSoon(await begin(B), 29); // a new start with another number
    expectTooSoon(await begin(A), 29); // or the same one
    expect(await sentTo(B)).toBe(0);

    const flow = first.json().flow.flow as string;
    const call = await c.post('/api/v1/phone/resend', { flow, channel: 'voice' });
    expect(call.json().flow.code.channel).toBe('voice');
    expectTooSoon(await begin(C, 'voice'), 30);

    clock.advance(30_000);
    expect((await begin(B)).statusCode).toBe(200);
    expect(await sentTo(B)).toBe(1);
  });
});

describe('step-up', () => {
  it('holds the cooldown across new step-ups, with one switch to a call and one to email', async () => {
    await start();
    const c = await signedInClient(app, 'dee@clinic.org');
    await stepUpByEmail(c, 'dee@clinic.org');
    const added = await c.post('/api/v1/phone/start', { phone: A, channel: 'sms' });
    await c.post('/api/v1/phone/confirm', {
      flow: added.json().flow.flow,
      code: await latestCode(app, A),
    });

    // An entered code holds nothing up: a step-up by text may go at once.
    const stepUp = (channel: string) => c.post('/api/v1/step-up/start', { channel });
    const started = await stepUp('sms');
    expect(started.statusCode).toBe(200);
    clock.advance(2_000);
    expectTooSoon(await stepUp('sms'), 28); // a new step-up is no way around it
    expectTooSoon(await stepUp('voice'), 28); // nor a new one by call
    expectTooSoon(await stepUp('email'), 28);

    // The switches the step-up offers beside its code: each the first time.
    const flow = started.json().flow.flow as string;
    const resend = (channel?: string) => c.post('/api/v1/step-up/resend', { flow, channel });
    expect((await resend('voice')).json().flow.code.channel).toBe('voice'); // "Call me"
    expectTooSoon(await resend(), 30);
    expectTooSoon(await resend('sms'), 30);
    expect((await resend('email')).json().flow.code.channel).toBe('email'); // to email
    expectTooSoon(await resend('voice'), 30);
    expectTooSoon(await stepUp('sms'), 30);
    expect((await outbox(app, A)).map((m) => m.channel)).toEqual(['voice', 'sms', 'sms']);

    clock.advance(30_000);
    const done = await c.post('/api/v1/step-up/verify', {
      flow,
      code: await latestCode(app, 'dee@clinic.org'),
    });
    expect(done.statusCode).toBe(200);
  });
});
