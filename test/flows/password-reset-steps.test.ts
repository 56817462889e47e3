/**
 * The reset's typed steps (password-reset/machine.ts `ResetStep`, core.ts `save`): the compiler
 * refuses data that does not fit its state and moves its flow's type cannot make, the flow store
 * still refuses at run time what the types let through, and a stored flow whose data does not fit
 * its state (an older shape, say) is refused cleanly on load.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createResetCore, type PasswordResetDeps } from '../../src/flows/password-reset/core.js';
import { resetFlow, type ResetFlowAt } from '../../src/flows/password-reset/machine.js';
import { createFlowStore, type FlowStore } from '../../src/store/flow-store.js';
import { openSqliteStore, type TestStore } from '../helpers/stores.js';
import { expectAppError, hasher } from '../store/fixtures.js';

const common = { method: 'recovery_code' as const, email: 'uma@clinic.org', codeLength: 6 };

let t: TestStore;
let flows: FlowStore;
let core: ReturnType<typeof createResetCore>;

beforeEach(async () => {
  t = await openSqliteStore();
  flows = createFlowStore(t.store.db, new FakeClock(), hasher, [resetFlow]);
  // The core's save and load reach only the flow store (a flow without an account).
  core = createResetCore({ flows } as unknown as PasswordResetDeps);
});
afterEach(() => t.close());

const create = (state: string, data: object) =>
  flows.create({ kind: resetFlow.kind, state, accountId: null, data, ttlMs: 15 * 60_000 });

describe('the reset saved through its typed steps', () => {
  it('refuses at run time a move its type allows but its table does not list', async () => {
    const { token } = await create('recovery_code', { ...common, proofs: [] });
    // Loaded as either state, the type allows new_password (new_password may stay there);
    // the table leads recovery_code only to second_factor.
    const { flow } = await core.load(token, 'recovery_code', 'new_password');
    await expectAppError(
      core.save(flow, { state: 'new_password', data: { ...common, proofs: ['recovery_code'] } }),
      'FLOW_STATE_CONFLICT',
    );
    expect(await flows.load(token, resetFlow.kind)).toMatchObject({
      state: 'recovery_code',
      version: 1,
    });
  });

  it('refuses staying at completed, which the types allow: a finished reset is never written', async () => {
    const { token } = await create('completed', { ...common, proofs: ['email'] });
    const { flow } = await core.load(token, 'completed');
    await expectAppError(
      core.save(flow, { state: 'completed', data: flow.data }),
      'FLOW_STATE_CONFLICT',
    );
  });

  it('refuses on load a flow whose data does not fit its state (never a 500)', async () => {
    const old = await create('second_factor', {
      ...common,
      proofs: ['recovery_code'],
      recoveryCodeId: 'r1',
    });
    await expectAppError(core.load(old.token, 'second_factor'), 'FLOW_STATE_CONFLICT');
    const noLength = await create('email_code', { method: 'email', email: 'a@b.org', proofs: [] });
    await expectAppError(core.load(noLength.token, 'email_code'), 'FLOW_STATE_CONFLICT');
  });
});

/** Never run: what the compiler refuses (tsc checks each `@ts-expect-error` is needed). */
export function refusedByTheCompiler(
  atRecovery: ResetFlowAt<'recovery_code'>,
  atSecond: ResetFlowAt<'second_factor'>,
) {
  // second_factor always says which factor is being entered.
  void core.save(atRecovery, {
    state: 'second_factor',
    // @ts-expect-error secondFactor is missing
    data: { ...common, proofs: ['recovery_code'], recoveryCodeId: 'r1' },
  });
  // A flow known to be at recovery_code cannot skip the second factor.
  const proved = { ...common, proofs: ['recovery_code'] as ['recovery_code'] };
  // @ts-expect-error the table leads recovery_code to second_factor only
  void core.save(atRecovery, { state: 'new_password', data: proved });
  // The new password needs a proof.
  // @ts-expect-error proofs may not be empty at new_password
  void core.save(atSecond, { state: 'new_password', data: { ...common, proofs: [] } });
  // A ceremony is never carried past second_factor.
  void core.save(atSecond, {
    state: 'new_password',
    // @ts-expect-error new_password holds no challenge
    data: { ...common, proofs: ['recovery_code', 'totp'], challenge: {} },
  });
}
