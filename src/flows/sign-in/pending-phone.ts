/**
 * Sign-in's confirm_pending_phone step (seed 002: an administrator updated the user's phone): the
 * code went to the new number; the right code (counted like every code) replaces the saved number
 * with it, drops the pending row, audits and tells the user (email, and the old number) in one
 * unit of work, and counts as the second factor (`sms`/`tel`). "Verify another way" leaves the
 * number pending.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { Proof } from '../../factors/factor.js';
import { smsMethod, voiceMethod } from '../../factors/phone/factor.js';
import { savePhone } from '../../factors/phone/saved.js';
import type { SignInCore, SignInDeps, SignInResult } from './core.js';
import { progressOf, type SignInFlowAt } from './state-data.js';
import type { AccountContext } from './step-data.js';

export function createPendingPhoneStep(d: SignInDeps, core: SignInCore) {
  return {
    /** The code sent to the administrator's number: the number is the account's from now on. */
    async confirm(
      token: string,
      flow: SignInFlowAt<'confirm_pending_phone'>,
      ctx: AccountContext,
      code: string,
      origin: RequestOrigin,
    ): Promise<SignInResult> {
      const { acc } = ctx;
      await core.checkStepCode(flow, acc, 'confirm_pending_phone', code, origin);
      const { pendingPhone, channel } = flow.data;
      // Taken once, and only the number the code went to (the administrator may have entered
      // another one since): anything else undoes the whole unit.
      const takeOnce = async () => {
        const dropped = await d.phones.dropPending(acc.id);
        if (!dropped || dropped.e164 !== pendingPhone.e164)
          throw new AppError('FLOW_STATE_CONFLICT');
      };
      const setBy = ctx.pendingPhone?.set_by ?? 'unknown';
      await savePhone(d, acc, pendingPhone, origin, takeOnce, setBy);
      const at = d.clock.now();
      const method = channel === 'sms' ? smsMethod : voiceMethod;
      const proof: Proof = { method: channel, at, amr: [{ method: method.amr, at }] };
      return core.advance(
        token,
        flow,
        acc,
        { ...progressOf(flow.data), secondFactor: proof },
        origin,
      );
    },

    /**
     * "Verify another way": the second factor as before (the old number still works); the pending
     * number waits for the next sign-in.
     */
    async decline({ token, origin }: { token: string; origin: RequestOrigin }) {
      const { flow, acc } = await core.load(token, 'confirm_pending_phone');
      const data = { ...progressOf(flow.data), pendingPhoneDeclinedAt: d.clock.now() };
      return core.advance(token, flow, acc, data, origin);
    },
  };
}
