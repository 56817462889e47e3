/**
 * Adding a factor inside sign-in through its enrolment (`factors/enrolments.ts`): an answer is
 * taken only at a step of the factor it is for (a code for the app never confirms a phone), a
 * ceremony or key is taken out of the flow before it is saved (answered once), and an enrolment
 * may lead only to a step of its own, with data that fits it; anything else leaves the flow.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { AppError } from '../../src/errors/app-error.js';
import type { Enrolment } from '../../src/factors/enrolment.js';
import { createTotpEnrolment, type TotpEnrolmentDeps } from '../../src/factors/totp/enrolment.js';
import { base32Of, newTotpSecret } from '../../src/factors/totp/totp.js';
import {
  createPhoneEnrolment,
  type PhoneEnrolmentDeps,
} from '../../src/factors/phone/enrolment.js';
import { createSignInCore, type SignInDeps } from '../../src/flows/sign-in/core.js';
import { signInFlow } from '../../src/flows/sign-in/machine.js';
import { createMinimumSteps } from '../../src/flows/sign-in/minimum.js';
import { presets } from '../../src/policy/presets.js';
import { createFlowStore } from '../../src/store/flow-store.js';
import { Client, latestCode, PASSWORD } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { ORIGIN } from '../helpers/passkeys.js';
import { appCode } from '../helpers/totp.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';
import { openSqliteStore, type TestStore } from '../helpers/stores.js';
import { hasher, insertAccount } from '../store/fixtures.js';

let app: FastifyInstance | undefined;
let t: TestStore | undefined;
afterEach(async () => {
  await app?.close();
  await t?.close();
  app = t = undefined;
});

const flowOf = (res: LightMyRequestResponse) => res.json().flow;

/** Seed 001 after its date: signed up, password and email passed, a way of the minimum chosen. */
async function choose(email: string, choice: number) {
  const clock = new FakeClock(Date.parse('2025-03-08T00:00:00.000Z'));
  app = await build({ config: testConfig({ PORTCULLIS_POLICY: 'strong-mfa' }), clock });
  const c = new Client(app);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  const flow = flowOf(await c.post('/api/v1/sign-in', { email, password: PASSWORD })).flow;
  await c.post('/api/v1/sign-in/verify-email', { flow, code: await latestCode(app, email) });
  const chosen = flowOf(await c.post('/api/v1/sign-in/minimum', { flow, choice }));
  return { app, c, clock, flow: flow as string, chosen };
}

describe('an answer to a step of adding a factor', () => {
  it('is taken only at a step of the factor it is for', async () => {
    const { app, c, flow } = await choose('erin@clinic.org', 2);
    // At enrol_phone, the app's code is out of step.
    const early = await c.post('/api/v1/sign-in/totp', { flow, code: '123456' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('FLOW_STATE_CONFLICT');
    await c.post('/api/v1/sign-in/phone', { flow, phone: '+14155552671', channel: 'sms' });
    const code = await latestCode(app, '+14155552671');
    // The phone's right code, sent to the app's route: refused, and nothing saved.
    const wrongRoute = await c.post('/api/v1/sign-in/totp', { flow, code });
    expect(wrongRoute.json().error.code).toBe('FLOW_STATE_CONFLICT');
    expect(await app.services.store.db.selectFrom('phones').selectAll().execute()).toEqual([]);
    expect(flowOf(await c.post('/api/v1/sign-in/flow', { flow })).step).toBe('confirm_phone');
    // Where it belongs, the same code confirms the phone.
    const confirmed = await c.post('/api/v1/sign-in/verify-code', { flow, code });
    expect(flowOf(confirmed).step).toBe('save_recovery_code');
  });

  it('spends a passkey ceremony on a refused answer: the same ceremony never registers', async () => {
    const { app, c, flow, chosen } = await choose('gil@clinic.org', 0);
    const device = new SoftwareAuthenticator(ORIGIN);
    const forged = device.create(chosen.passkeyRegistration.options, { rpId: 'evil.example' });
    const refused = await c.post('/api/v1/sign-in/passkey-registration', {
      flow,
      name: 'Laptop',
      credential: forged.response,
    });
    expect(refused.json().error.code).toBe('PASSKEY_INVALID');
    const valid = device.create(chosen.passkeyRegistration.options);
    const late = await c.post('/api/v1/sign-in/passkey-registration', {
      flow,
      name: 'Laptop',
      credential: valid.response,
    });
    expect(late.json().error.code).toBe('CEREMONY_EXPIRED');
    expect(await app.services.store.db.selectFrom('passkeys').selectAll().execute()).toEqual([]);
  });
});

describe("the app's enrolment", () => {
  it('saves no key when its claim on the flow fails (another answer came first)', async () => {
    const secret = newTotpSecret();
    const saved: unknown[] = [];
    const now = Date.parse('2025-03-08T00:00:00.000Z');
    const enrolment = createTotpEnrolment({
      clock: { now: () => now },
      box: { seal: () => ({}), open: () => secret },
      throttle: { attempt: async () => 0, reset: async () => {} },
      audit: { record: async () => {} },
      units: { transaction: (fn: () => Promise<unknown>) => fn() },
      totps: { save: async (...args: unknown[]) => void saved.push(args) },
      portalName: 'Portal',
      notify: async () => {},
    } as unknown as TotpEnrolmentDeps);
    const answer = enrolment.answer({
      account: { id: 'a1', email: 'a@b.c' },
      factors: {},
      flowId: 'f1',
      origin: { ip: null, userAgent: null },
      step: 'enrol_totp',
      kept: { pendingTotp: {} },
      answer: { code: appCode(base32Of(secret), now) },
      claim: () => Promise.reject(new AppError('FLOW_STATE_CONFLICT')),
      onFailure: () => {},
    } as unknown as Parameters<Enrolment['answer']>[0]);
    await expect(answer).rejects.toMatchObject({ code: 'FLOW_STATE_CONFLICT' });
    expect(saved).toEqual([]);
  });
});

describe("the phone's enrolment", () => {
  it('takes a code only at its confirming step', async () => {
    const enrolment = createPhoneEnrolment({} as PhoneEnrolmentDeps);
    const input = {
      account: { id: 'a1', email: 'a@b.c' },
      factors: {},
      flowId: 'f1',
      origin: { ip: null, userAgent: null },
      kept: {
        channel: 'sms',
        pendingPhone: { e164: '+14155552671', country: 'US', kind: 'mobile' },
      },
      answer: { code: '123456' },
      claim: async () => {},
      onFailure: () => {},
    } as unknown as Parameters<Enrolment['answer']>[0];
    await expect(enrolment.answer({ ...input, step: 'enrol_phone' })).rejects.toMatchObject({
      code: 'FLOW_STATE_CONFLICT',
    });
  });
});

describe('an enrolment', () => {
  async function atEnrolPhone(enrolment: Partial<Enrolment>) {
    t = await openSqliteStore();
    const clock = new FakeClock();
    await insertAccount(t.store.db, clock, { id: 'a1' });
    const flows = createFlowStore(t.store.db, clock, hasher, [signInFlow]);
    const d = {
      flows,
      clock,
      accounts: { byId: () => Promise.resolve({ id: 'a1', state: 'active' }) },
      holdings: () =>
        Promise.resolve({
          phone: undefined,
          totp: undefined,
          recoveryCode: undefined,
          passkeys: 0,
        }),
      policies: { forAccount: () => Promise.resolve(presets['strong-mfa']) },
      enrolments: { at: () => enrolment },
    } as unknown as SignInDeps;
    const core = createSignInCore(d);
    const { token } = await flows.create({
      kind: signInFlow.kind,
      state: 'enrol_phone',
      accountId: 'a1',
      data: { passwordAt: 1 },
      ttlMs: 60_000,
    });
    const { flow, ctx } = await core.load(token, 'enrol_phone');
    const answer = () =>
      createMinimumSteps(d, core).answerAt(
        token,
        flow,
        ctx,
        { code: '1' },
        { ip: '1.2.3.4', userAgent: null },
      );
    return { answer, stored: () => flows.load(token, signInFlow.kind) };
  }

  it("may lead only to a step of its own factor's", async () => {
    const { answer, stored } = await atEnrolPhone({
      answer: async () => ({ next: 'enrol_totp', kept: { pendingTotp: { iv: 'a' } } }),
    });
    await expect(answer()).rejects.toThrow(/not its own: enrol_totp/);
    expect(await stored()).toMatchObject({ state: 'enrol_phone', version: 1 });
  });

  it('may lead to its next step only with data that fits it', async () => {
    const { answer, stored } = await atEnrolPhone({
      answer: async () => ({ next: 'confirm_phone', kept: { channel: 'sms' } }),
    });
    await expect(answer()).rejects.toThrow(/does not fit/);
    expect(await stored()).toMatchObject({ state: 'enrol_phone', version: 1 });
  });
});
