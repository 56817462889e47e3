/**
 * The transition tables as the last guard: a service that (by a bug) saved a flow where its
 * table does not lead is refused by the flow store, and the flow stays where it was. Each story
 * takes a real flow through the running app, then saves it with the app's own store wiring (as
 * a buggy step would) at a state its table refuses, then goes on through the API.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import type { Core } from '../../src/services/core.js';
import { wireFlowStore } from '../../src/services/flows.js';
import type { FlowStore } from '../../src/store/flow-store.js';
import { Client, latestCode, PASSWORD, signedInClient } from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { enrolTotp, stepUpByEmail } from '../helpers/totp.js';
import { expectAppError } from '../store/fixtures.js';

let app: FastifyInstance;
let clock: FakeClock;
/** The flow store as the app wires it: every kind, with its table. */
let flows: FlowStore;
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock(SEED_001_REMINDER);
  app = await build({ config: testConfig(env), clock });
  const { store, hasher } = app.services;
  // The app's wiring of the store (it reads the core's store, clock and hasher only).
  flows = wireFlowStore({ store, clock, hasher } as unknown as Core);
}
const strongMfa = { PORTCULLIS_POLICY: 'strong-mfa' };
const attackerPhone = { e164: '+12025550143', country: 'US', kind: 'mobile' as const };

/** A buggy step saving the flow behind `token` at `state`, with `extra` data. */
async function forge(token: string, kind: string, state: string, extra: object = {}) {
  const flow = await flows.load<string, object>(token, kind);
  return flows.save(flow, { state, data: { ...flow.data, ...extra } });
}

const phonesOf = () => app.services.store.db.selectFrom('phones').selectAll().execute();

describe('sign-in: only the step that took a number leads to confirming a phone', () => {
  it('a password alone cannot trade the app code for a phone of its own', async () => {
    await start(strongMfa);
    await enrolTotp(await signedInClient(app, 'rae@clinic.org'), clock);

    // Someone with Rae's password only: the app code is asked.
    const thief = new Client(app);
    const res = await thief.post('/api/v1/sign-in', {
      email: 'rae@clinic.org',
      password: PASSWORD,
    });
    const { flow, step } = res.json().flow;
    expect(step).toBe('second_factor');

    // Moved to confirm_phone with their number, a code to it would add the phone to Rae's
    // account and count as a factor passed. The table lists no such move.
    await expectAppError(
      forge(flow, 'sign_in', 'confirm_phone', { pendingPhone: attackerPhone, channel: 'sms' }),
      'FLOW_STATE_CONFLICT',
    );
    const view = await thief.post('/api/v1/sign-in/flow', { flow });
    expect(view.json().flow).toMatchObject({
      step: 'second_factor',
      secondFactor: { method: 'totp' },
    });
    const guess = await thief.post('/api/v1/sign-in/verify-code', { flow, code: '000000' });
    expect(guess.json().error.code).toBe('CODE_INVALID');
    expect(thief.cookie).toBeUndefined();
    expect(await phonesOf()).toEqual([]);
  });

  it('an address never verified cannot skip its code for a phone either', async () => {
    await start();
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'sol@clinic.org', password: PASSWORD });
    const res = await c.post('/api/v1/sign-in', { email: 'sol@clinic.org', password: PASSWORD });
    const { flow, step } = res.json().flow;
    expect(step).toBe('verify_email');

    await expectAppError(
      forge(flow, 'sign_in', 'confirm_phone', { pendingPhone: attackerPhone, channel: 'sms' }),
      'FLOW_STATE_CONFLICT',
    );
    // The email code is still what is asked, and it still works.
    expect((await c.post('/api/v1/sign-in/flow', { flow })).json().flow.step).toBe('verify_email');
    const verified = await c.post('/api/v1/sign-in/verify-email', {
      flow,
      code: await latestCode(app, 'sol@clinic.org'),
    });
    expect(verified.json().flow.step).toBe('enrol_phone');
    expect(await phonesOf()).toEqual([]);
  });
});

describe('password reset: no proof is skipped', () => {
  it('a recovery code alone never reaches the new password', async () => {
    await start(strongMfa);
    await signedInClient(app, 'uma@clinic.org');
    const c = new Client(app);
    const res = await c.post('/api/v1/password-reset', {
      email: 'uma@clinic.org',
      method: 'recovery_code',
    });
    const { flow, step } = res.json().flow;
    expect(step).toBe('recovery_code');

    // The recovery code is one factor: the table leads to second_factor, never past it.
    await expectAppError(forge(flow, 'password_reset', 'new_password'), 'FLOW_STATE_CONFLICT');
    const set = await c.post('/api/v1/password-reset/password', {
      flow,
      password: 'lantern meadow copper violin',
      endSessions: false,
    });
    expect(set.json().error.code).toBe('FLOW_STATE_CONFLICT');
    expect((await c.post('/api/v1/password-reset/flow', { flow })).json().flow.step).toBe(
      'recovery_code',
    );
  });

  it('an email code not yet entered neither shows a recovery code nor ends the reset', async () => {
    await start();
    await signedInClient(app, 'val@clinic.org');
    const c = new Client(app);
    const res = await c.post('/api/v1/password-reset', {
      email: 'val@clinic.org',
      method: 'email',
    });
    const { flow } = res.json().flow;
    for (const state of ['save_recovery_code', 'completed'])
      await expectAppError(forge(flow, 'password_reset', state), 'FLOW_STATE_CONFLICT');
    const view = await c.post('/api/v1/password-reset/flow', { flow });
    expect(view.json().flow).toMatchObject({ step: 'email_code', recoveryCode: null });
  });
});

describe('session flows: done is final', () => {
  it('a confirmed email change is never opened again', async () => {
    await start();
    const c = await signedInClient(app, 'wes@clinic.org');
    await stepUpByEmail(c, 'wes@clinic.org');
    const started = await c.post('/api/v1/account/email', { newEmail: 'wes@newclinic.org' });
    const { flow } = started.json().flow;
    const code = await latestCode(app, 'wes@newclinic.org');
    expect((await c.post('/api/v1/account/email/confirm', { flow, code })).statusCode).toBe(200);

    // Reopened, the same code would change the email again (after a change back, say).
    for (const state of ['pending', 'done'])
      await expectAppError(forge(flow, 'email_change', state), 'FLOW_STATE_CONFLICT');
    const again = await c.post('/api/v1/account/email/confirm', { flow, code });
    expect(again.json().error.code).toBe('FLOW_NOT_FOUND');
  });
});
