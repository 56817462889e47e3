/**
 * Sign-in's second_factor step: the user answers with a factor they hold — a passkey, a code
 * from the app, the recovery code, or a code sent by text, call or (where allowed) email — each
 * reached through the registry by the method the step is at. A ceremony held in the flow is taken
 * out by a versioned write before its answer is looked at (S15); every failure counts on the
 * account (S5). The proof (its method, time and `amr`) goes into the flow for the session.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import { answerFits, type Answer } from '../../factors/factor.js';
import type { Account } from '../../store/schema.js';
import type { SignInCore, SignInDeps, SignInResult } from './core.js';
import { methodInUse } from './machine.js';
import {
  progressOf,
  type SecondFactorData,
  type SecondFactorMethod,
  type SignInFlowAt,
} from './state-data.js';
import { secondFactorAlternatives } from './methods.js';
import type { AccountContext, FlowView } from './steps.js';

type Loaded = { flow: SignInFlowAt<'second_factor'>; acc: Account; ctx: AccountContext };

/** The step's data without its challenge (answered, or left for another method). */
function withoutChallenge<D extends SecondFactorData>(data: D): D {
  const next = { ...data };
  delete next.challenge;
  return next;
}

export function createSecondFactorStep(d: SignInDeps, core: SignInCore) {
  return {
    /** The answer to the step's challenge, for a flow `core.load` found at second_factor. */
    async answer(
      token: string,
      { flow, acc, ctx }: Loaded,
      given: Answer,
      origin: RequestOrigin,
    ): Promise<SignInResult> {
      const factor = d.factors.get(methodInUse(flow.data));
      // A passkey is answered with an assertion, a code with a code: anything else is out of step.
      if (!answerFits(factor.method, given)) throw new AppError('FLOW_STATE_CONFLICT');
      // Consumed before the answer is looked at (versioned write): a challenge is answered once,
      // also by concurrent submits. After a failure, choosing the method again starts anew.
      const claimed = flow.data.challenge?.ceremony
        ? await core.save(flow, { state: 'second_factor', data: withoutChallenge(flow.data) })
        : flow;
      const proof = await factor.verify({
        account: acc,
        factors: ctx.factors,
        binding: { flowId: flow.id, purpose: 'second_factor' },
        origin,
        answer: given,
        challenge: flow.data.challenge ?? {},
        purpose: 'second_factor',
        onFailure: () => core.outcome('code_invalid'),
      });
      // What the account holds is as loaded, unless the answer used a factor up.
      return core.advance(
        token,
        claimed,
        acc,
        { ...progressOf(claimed.data), secondFactor: proof },
        origin,
        factor.method.spentByUse ? undefined : ctx,
      );
    },

    /**
     * Switches the step to a passkey (a new ceremony each time: also the way to try again), the
     * app or the recovery code.
     */
    async choose(
      token: string,
      method: Exclude<SecondFactorMethod, 'code'>,
      origin: RequestOrigin,
    ): Promise<FlowView> {
      const { flow, acc, ctx } = await core.load(token, 'second_factor');
      if (!secondFactorAlternatives(ctx.factors, ctx.policy).includes(method))
        throw new AppError('METHOD_NOT_AVAILABLE');
      const challenge = await d.factors.get(method).start({
        account: acc,
        factors: ctx.factors,
        binding: { flowId: flow.id, purpose: 'second_factor' },
        origin,
        channels: [],
      });
      // The channel a code went by stays, for a resend; a ceremony left before does not.
      const { channel } = flow.data;
      const data = {
        ...progressOf(flow.data),
        method,
        ...(channel ? { channel } : {}),
        ...(challenge.ceremony ? { challenge } : {}),
      };
      const saved = await core.save(flow, { state: 'second_factor', data });
      return core.steps.view(token, saved, ctx);
    },
  };
}
