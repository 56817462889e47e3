/**
 * The reset's recovery-code step and the second factor that confirms it. The recovery code is
 * checked, not spent (the new password spends it); then a factor the account holds and its policy
 * allows, strongest first, reached through the registry: a passkey (a ceremony held in the flow,
 * taken out by a versioned write before its answer is verified, S15), the app, or a code sent to
 * the phone. Every failure counts on the account (S5).
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import { Refused } from '../../factors/counted-check.js';
import { answerFits, type Answer } from '../../factors/factor.js';
import type { CodeBinding } from '../../factors/otp-code/codes.js';
import { sentMethods } from '../../factors/registry.js';
import type { Account } from '../../store/schema.js';
import type { PasswordResetDeps, ResetCore } from './core.js';
import { commonOf, type ResetFlowAt, type ResetSecondFactor, type ResetStepAt } from './machine.js';
import type { ResetView, SecondFactorContext } from './view.js';

type SecondFactorFlow = ResetFlowAt<'second_factor'>;
/** second_factor's data before its factor's start (no challenge yet). */
type Chosen = Omit<ResetStepAt<'second_factor'>['data'], 'challenge'>;

const binding = (flow: { id: string }): CodeBinding => ({
  flowId: flow.id,
  purpose: 'second_factor',
});

export function createSecondFactorStep(d: PasswordResetDeps, core: ResetCore) {
  const contextOf = (flow: { id: string }, second: SecondFactorContext, origin: RequestOrigin) => ({
    account: second.account,
    factors: second.factors,
    binding: binding(flow),
    origin,
  });

  /** Saves the flow at second_factor with `next.secondFactor` chosen and its challenge started. */
  async function begin(
    flow: ResetFlowAt<'recovery_code' | 'second_factor'>,
    next: Chosen,
    second: SecondFactorContext,
    origin: RequestOrigin,
  ): Promise<SecondFactorFlow> {
    const started = d.factors.get(next.secondFactor);
    const context = contextOf(flow, second, origin);
    // Claimed first (a versioned write along the table), so a double submit sends once; a
    // ceremony is made before and kept in the flow.
    if (started.method.sent) {
      const saved = await core.save(flow, { state: 'second_factor', data: next });
      await started.start({
        ...context,
        channels: sentMethods(second.choices),
        auditPurpose: 'password_reset',
      });
      return saved;
    }
    const challenge = await started.start({ ...context, channels: [] });
    return core.save(flow, { state: 'second_factor', data: { ...next, challenge } });
  }

  async function choose(
    token: string,
    flow: SecondFactorFlow,
    acc: Account | undefined,
    factor: ResetSecondFactor,
    origin: RequestOrigin,
  ): Promise<ResetView> {
    const second = await core.secondFactorsOf(core.requireAccount(acc));
    if (!second.choices.includes(factor)) throw new AppError('METHOD_NOT_AVAILABLE');
    // The step's cooldown, whatever the channel (but a first switch): before the flow changes.
    await d.factors.get(factor).assertMayStart(contextOf(flow, second, origin));
    const saved = await begin(
      flow,
      { ...withoutChallenge(flow.data), secondFactor: factor },
      second,
      origin,
    );
    return core.present(token, saved, second);
  }

  return {
    choose,

    /** The recovery code, checked but not spent; then the strongest second factor, started. */
    async recoveryCode(
      token: string,
      flow: ResetFlowAt<'recovery_code'>,
      acc: Account | undefined,
      code: string,
      origin: RequestOrigin,
    ): Promise<ResetView> {
      if (!acc) {
        await core.countedFirstStep(
          flow,
          acc,
          async () => {
            // The cost of checking a real code, for an address with none (S6).
            await d.passwords.verify(null, code);
            return new Refused('invalid', new AppError('RECOVERY_CODE_INVALID'));
          },
          origin,
        );
      }
      const account = core.requireAccount(acc);
      const codeId = await d.recovery.check({ account, code, origin });
      const second = await core.secondFactorsOf(account);
      const first = second.choices[0];
      if (!first) throw new AppError('RESET_NEEDS_SECOND_FACTOR');
      const next: Chosen = {
        ...commonOf(flow.data),
        proofs: ['recovery_code'],
        recoveryCodeId: codeId,
        secondFactor: first,
      };
      return core.present(token, await begin(flow, next, second, origin), second);
    },

    /** The answer to the chosen factor's challenge: on to the new password. */
    async answer(
      token: string,
      flow: SecondFactorFlow,
      acc: Account | undefined,
      given: Answer,
      origin: RequestOrigin,
    ): Promise<ResetView> {
      const account = core.requireAccount(acc);
      const factor = d.factors.get(flow.data.secondFactor);
      if (!answerFits(factor.method, given)) throw new AppError('FLOW_STATE_CONFLICT');
      // A ceremony is taken out of the flow before the answer is looked at (versioned write):
      // answered once, also by concurrent submits; after a failure, choosing again makes anew.
      const claimed = flow.data.challenge?.ceremony
        ? await core.save(flow, { state: 'second_factor', data: withoutChallenge(flow.data) })
        : flow;
      const factors = await d.holdings(account.id);
      const proof = await factor.verify({
        account,
        factors,
        binding: binding(flow),
        origin,
        answer: given,
        challenge: flow.data.challenge ?? {},
        purpose: 'second_factor',
      });
      const { proofs, recoveryCodeId } = flow.data;
      const moved = await core.save(claimed, {
        state: 'new_password',
        data: {
          ...commonOf(flow.data),
          proofs: [...proofs, proof.method as ResetSecondFactor],
          recoveryCodeId,
        },
      });
      return core.present(token, moved, undefined);
    },

    /** A new code by the chosen channel (a factor that sends nothing has no resend). */
    async resend(
      token: string,
      flow: SecondFactorFlow,
      acc: Account | undefined,
      origin: RequestOrigin,
    ) {
      const chosen = flow.data.secondFactor;
      if (!d.factors.get(chosen).method.sent) throw new AppError('FLOW_STATE_CONFLICT');
      return choose(token, flow, acc, chosen, origin);
    },
  };
}

function withoutChallenge(data: ResetStepAt<'second_factor'>['data']): Chosen {
  const next = { ...data };
  delete next.challenge;
  return next;
}
