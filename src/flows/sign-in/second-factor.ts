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
import type { SignInCore, SignInDeps, SignInFlow, SignInResult } from './core.js';
import {
  methodInUse,
  withoutChallenge,
  type SecondFactorMethod,
  type SignInData,
} from './machine.js';
import { secondFactorAlternatives } from './methods.js';
import type { AccountContext, FlowView } from './steps.js';

type Loaded = { flow: SignInFlow; acc: Account; ctx: AccountContext };

export function createSecondFactorStep(d: SignInDeps, core: SignInCore) {
  return {
    /** The answer to the step's challenge, for a flow `core.load` found at second_factor. */
    async answer(
      token: string,
      { flow, acc, ctx }: Loaded,
      given: Answer,
      origin: RequestOrigin,
    ): Promise<SignInResult> {
      if (flow.state !== 'second_factor') throw new AppError('FLOW_STATE_CONFLICT');
      const factor = d.factors.get(methodInUse(flow.data));
      // A passkey is answered with an assertion, a code with a code: anything else is out of step.
      if (!answerFits(factor.method, given)) throw new AppError('FLOW_STATE_CONFLICT');
      // Consumed before the answer is looked at (versioned write): a challenge is answered once,
      // also by concurrent submits. After a failure, choosing the method again starts anew.
      const claimed = flow.data.challenge?.ceremony
        ? await d.flows.save(flow, { state: flow.state, data: withoutChallenge(flow.data) })
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
      const data: SignInData = { ...claimed.data, secondFactor: proof };
      return core.advance(token, claimed, acc, data, origin);
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
      const data: SignInData = {
        ...withoutChallenge(flow.data),
        method,
        ...(challenge.ceremony ? { challenge } : {}),
      };
      const saved = await d.flows.save(flow, { state: flow.state, data });
      return core.steps.view(token, saved, ctx);
    },
  };
}
