/**
 * Sign-in's typed steps (sign-in/state-data.ts `SignInStep`, core.ts `save`): the compiler refuses
 * data that does not fit its state and moves its flow's type cannot make, the flow store still
 * refuses at run time what the types let through, a claim keeps the progress only, and a stored
 * flow whose data does not fit its state (an older shape, a claim never entered) is refused cleanly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createSignInCore, type SignInDeps } from '../../src/flows/sign-in/core.js';
import { signInFlow } from '../../src/flows/sign-in/machine.js';
import type { SignInFlow, SignInFlowAt } from '../../src/flows/sign-in/state-data.js';
import { presets } from '../../src/policy/presets.js';
import { createFlowStore, type FlowStore } from '../../src/store/flow-store.js';
import { openSqliteStore, type TestStore } from '../helpers/stores.js';
import { expectAppError, hasher, insertAccount } from '../store/fixtures.js';

const sealed = { iv: 'aXY', data: 'ZGF0YQ', tag: 'dGFn' };
const pendingPhone = { e164: '+15551234567', country: 'US', kind: 'mobile' as const };

let t: TestStore;
let flows: FlowStore;
let core: ReturnType<typeof createSignInCore>;

beforeEach(async () => {
  t = await openSqliteStore();
  const clock = new FakeClock();
  await insertAccount(t.store.db, clock, { id: 'a1' });
  flows = createFlowStore(t.store.db, clock, hasher, [signInFlow]);
  // The core's save and load reach the flow store, the account and its context only.
  core = createSignInCore({
    flows,
    accounts: { byId: () => Promise.resolve({ id: 'a1', state: 'active' }) },
    holdings: () =>
      Promise.resolve({ phone: undefined, totp: undefined, recoveryCode: undefined, passkeys: 0 }),
    policies: { forAccount: () => Promise.resolve(presets['strong-mfa']) },
    phones: { findPending: () => Promise.resolve(undefined) },
  } as unknown as SignInDeps);
});
afterEach(() => t.close());

const create = (state: string, data: unknown) =>
  flows.create({ kind: signInFlow.kind, state, accountId: 'a1', data, ttlMs: 15 * 60_000 });

describe('sign-in saved through its typed steps', () => {
  it('refuses at run time a move its type allows but its table does not list', async () => {
    const { token } = await create('enrol_totp', { passwordAt: 1, pendingTotp: sealed });
    // Loaded as either state, the type allows confirm_phone (enrol_phone leads there);
    // the table never leads enrol_totp to confirm_phone.
    const { flow } = await core.load(token, 'enrol_totp', 'enrol_phone');
    await expectAppError(
      core.save(flow, {
        state: 'confirm_phone',
        data: { passwordAt: 1, channel: 'sms', pendingPhone },
      }),
      'FLOW_STATE_CONFLICT',
    );
    expect(await flows.load(token, signInFlow.kind)).toMatchObject({
      state: 'enrol_totp',
      version: 1,
    });
  });

  it('refuses staying at completed, which the types allow: a finished sign-in is never written', async () => {
    const { token } = await create('completed', { passwordAt: 1 });
    const { flow } = await core.load(token, 'completed');
    await expectAppError(
      core.save(flow, { state: 'completed', data: flow.data }),
      'FLOW_STATE_CONFLICT',
    );
  });

  it("keeps the progress only in a claim: a step's data never leaks into the next", async () => {
    const { token } = await create('second_factor', {
      passwordAt: 1,
      method: 'code',
      channel: 'sms',
    });
    const { flow } = await core.load(token, 'second_factor');
    await core.save(flow, { state: 'choose_mfa', claim: true, data: flow.data });
    const stored = await flows.load(token, signInFlow.kind);
    expect(stored).toMatchObject({ state: 'choose_mfa', version: 2 });
    expect(stored.data).toEqual({ passwordAt: 1 });
  });

  it('refuses on load a flow whose data does not fit its state (never a 500)', async () => {
    const misfits: [string, unknown][] = [
      // A second factor claimed and never entered: no method.
      ['second_factor', { passwordAt: 1 }],
      ['second_factor', { passwordAt: 1, method: 'code' }],
      ['verify_email', { passwordAt: 1, channel: 'sms' }],
      ['confirm_phone', { passwordAt: 1, channel: 'sms' }],
      // The administrator's number is confirmed by text or call, never by email.
      ['confirm_pending_phone', { passwordAt: 1, channel: 'email', pendingPhone }],
      ['confirm_pending_phone', { passwordAt: 1, channel: 'sms' }],
      ['enrol_totp', { passwordAt: 1 }],
      ['save_recovery_code', { passwordAt: 1, recoveryCodeSavedAt: 2 }],
      ['choose_mfa', { passwordAt: 'yesterday' }],
      ['choose_mfa', 'not an object'],
    ];
    for (const [state, data] of misfits) {
      const { token } = await create(state, data);
      await expectAppError(core.load(token, state as SignInFlow['state']), 'FLOW_STATE_CONFLICT');
    }
  });

  it('loads an older flow that fits, keeping its field names (its leftovers are dropped on the next save)', async () => {
    const { token } = await create('choose_mfa', { passwordAt: 1, channel: 'email' });
    const { flow } = await core.load(token, 'choose_mfa');
    expect(flow.data.passwordAt).toBe(1);
  });
});

/** Never run: what the compiler refuses (tsc checks each `@ts-expect-error` is needed). */
export function refusedByTheCompiler(
  atSecond: SignInFlowAt<'second_factor'>,
  atSave: SignInFlowAt<'save_recovery_code'>,
  atPhone: SignInFlowAt<'enrol_phone'>,
  any: SignInFlow,
) {
  // A code in second_factor always says where it went.
  // @ts-expect-error channel is missing
  void core.save(atSecond, { state: 'second_factor', data: { passwordAt: 1, method: 'code' } });
  // A flow known to be at save_recovery_code only completes.
  // @ts-expect-error the table leads save_recovery_code to completed only
  void core.save(atSave, { state: 'second_factor', data: { method: 'totp' } });
  // A ceremony is never carried past second_factor.
  // @ts-expect-error choose_mfa holds no challenge
  void core.save(atSecond, { state: 'choose_mfa', data: { passwordAt: 1, challenge: {} } });
  // enrol_totp always holds its new key (a claim holds none: it says so).
  // @ts-expect-error pendingTotp is missing
  void core.save(atPhone, { state: 'enrol_totp', data: { passwordAt: 1 } });
  void core.save(atPhone, { state: 'enrol_totp', claim: true, data: { passwordAt: 1 } });
  // A claim holds the progress only.
  // @ts-expect-error a claim holds no pending number
  void core.save(atPhone, { state: 'enrol_phone', claim: true, data: { pendingPhone } });
  // Only the state says what a flow holds.
  // @ts-expect-error pendingPhone is confirm_phone's
  void any.data.pendingPhone;
  if (any.state === 'confirm_phone') void any.data.pendingPhone.e164;
}
