/**
 * Meeting the policy's minimum inside sign-in: choosing a way (choose_mfa), adding each factor it
 * lacks through its enrolment (`factors/enrolments.ts`: its steps, what they keep, how an answer
 * confirms it), and "Skip for Now" while the policy lets it wait. No factor is named here; a
 * factor added here never vouches for itself.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { EnrolmentAnswer } from '../../factors/enrolment.js';
import {
  descriptorAt,
  enrolStates,
  isEnrolState,
  type EnrolState,
} from '../../factors/enrolments.js';
import { holdingsOf } from '../../policy/holdings.js';
import type { SignInCore, SignInDeps, SignInResult } from './core.js';
import { minimumSteps, minimumWays } from './machine.js';
import {
  fitsState,
  progressOf,
  type SignInClaimed,
  type SignInFlowAt,
  type SignInProgress,
  type SignInStepAt,
} from './state-data.js';
import { isCodeStep, type AccountContext } from './step-data.js';

type Input = { token: string; origin: RequestOrigin };

export function createMinimumSteps(d: SignInDeps, core: SignInCore) {
  const { clock } = d;
  const { steps, load, advance, save } = core;

  /**
   * A factor was added in this flow: on to what is owed next, or, where its enrolment says the
   * policy asks it (seed 002), sign in again with `restartMessage`.
   */
  async function added(
    token: string,
    flow: SignInClaimed,
    ctx: AccountContext,
    progress: SignInProgress,
    origin: RequestOrigin,
    restartMessage: string | undefined,
  ): Promise<SignInResult> {
    const next: SignInProgress = { ...progress, enrolledAt: clock.now() };
    if (restartMessage !== undefined) {
      await save(flow, { state: 'restart', data: progressOf(next) });
      return { status: 'restart', message: restartMessage };
    }
    return advance(token, flow, ctx.acc, next, origin);
  }

  /** The user's answer at a step of adding a factor: the factor saved, or its next step. */
  async function answerAt(
    token: string,
    flow: SignInFlowAt<EnrolState>,
    ctx: AccountContext,
    answer: EnrolmentAnswer,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const progress = progressOf(flow.data);
    let current: SignInClaimed = flow;
    const outcome = await d.enrolments.at(flow.state).answer({
      account: ctx.acc,
      factors: ctx.factors,
      flowId: flow.id,
      origin,
      step: flow.state,
      kept: flow.data,
      answer,
      // Taken out of the flow (a versioned write) before the factor is saved: answered once.
      claim: async () => {
        current = await save(flow, { state: flow.state, claim: true, data: progress });
      },
      onFailure: () => core.outcome('code_invalid'),
    });
    if ('added' in outcome) {
      const again = descriptorAt(flow.state).signInAgain;
      const restart = again?.when(ctx.policy) ? again.message : undefined;
      return added(token, current, ctx, progress, origin, restart);
    }
    // The factor's next step (a number entered: its code), only one of its own.
    const data = { ...progress, ...outcome.kept };
    if (!isEnrolState(outcome.next) || descriptorAt(outcome.next) !== descriptorAt(flow.state))
      throw new Error(`an enrolment led to a step not its own: ${outcome.next}`);
    if (!fitsState(outcome.next, data))
      throw new Error(`${outcome.next} kept data it does not fit`);
    const next = { state: outcome.next, data } as SignInStepAt<EnrolState>;
    const saved = await save(flow, next);
    if (isCodeStep(saved.state)) await steps.sendCurrent(saved, ctx, origin);
    return { status: 'continue', view: await steps.view(token, saved, ctx) };
  }

  return {
    answerAt,

    /** At a step of adding a factor: a number, a code, a new passkey, as the step takes. */
    async answer({ token, answer, origin }: Input & { answer: EnrolmentAnswer }) {
      const { flow, ctx } = await load(token, ...enrolStates);
      return answerAt(token, flow, ctx, answer, origin);
    },

    async choose({ token, choice, origin }: Input & { choice: number }): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, ...minimumSteps);
      const way = minimumWays(ctx.policy, holdingsOf(acc, ctx.factors))[choice];
      if (!way?.available) throw new AppError('METHOD_NOT_AVAILABLE');
      // A fresh start of that way: nothing pending from another one is kept.
      const data = { ...progressOf(flow.data), minimumChoice: choice };
      return advance(token, flow, acc, data, origin);
    },

    async skip({ token, origin }: Input): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, ...minimumSteps);
      if (!steps.skippable(flow, ctx)) throw new AppError('FLOW_STATE_CONFLICT');
      const now = clock.now();
      // Remembered on the account: an `offer` is not made again; a `remind` is, next time.
      await d.units.transaction(async () => {
        await d.accounts.dismissMinimumOffer(acc.id, now);
        await d.audit.record({
          action: 'sign_in.minimum_skipped',
          actorId: acc.id,
          targetId: acc.id,
          origin,
        });
      });
      const data: SignInProgress = { ...progressOf(flow.data), minimumSkippedAt: now };
      delete data.minimumChoice;
      return advance(token, flow, { ...acc, phone_offer_dismissed_at: now }, data, origin);
    },
  };
}
