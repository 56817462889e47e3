/**
 * What entering each sign-in step does: which code goes where (a held factor's through the
 * registry), which recovery code is issued, which passkey ceremony is offered, what a factor
 * being added keeps (its enrolment's); and a resend over another channel, after the cooldown.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { CodeChannel, CodeTarget } from '../../factors/otp-code/challenge.js';
import { isEnrolState, specAt } from '../../factors/enrolments.js';
import { canReceive } from '../../factors/phone/numbers.js';
import { isSentMethod } from '../../factors/registry.js';
import type { SignInDeps } from './core.js';
import type { SignInState } from './machine.js';
import { firstSecondFactor } from './methods.js';
import {
  progressOf,
  type PendingPhone,
  type SignInClaimed,
  type SignInFlowAt,
  type SignInStep,
  type SignInStepAt,
} from './state-data.js';
import {
  channelOf,
  channelsOf,
  purposeOf,
  recoveryAad,
  type AccountContext,
  type CodeStep,
} from './step-data.js';
import { createSignInView } from './view.js';

export type { AccountContext } from './step-data.js';
export type { FlowView } from './view.js';

/**
 * The number an administrator entered, as it is now: its code goes there, and only the number a
 * code went to is saved (`pending-phone.ts`). None (dropped meanwhile): the step cannot go on.
 */
function pendingNow({ pendingPhone: p }: AccountContext): PendingPhone {
  if (!p) throw new AppError('FLOW_STATE_CONFLICT');
  return { e164: p.e164, country: p.country, kind: p.kind };
}

export function createSignInSteps(d: SignInDeps) {
  const present = createSignInView(d);
  /** Where a code of verify_email, the administrator's number or a factor being added goes. */
  function targetOf(
    flow: SignInFlowAt<Exclude<CodeStep, 'second_factor'>>,
    ctx: AccountContext,
    channel: CodeChannel,
  ): CodeTarget {
    if (isEnrolState(flow.state)) {
      const code = specAt(flow.state).code;
      if (!code) throw new AppError('FLOW_STATE_CONFLICT');
      return code.target(flow.data, channel);
    }
    if (flow.state === 'verify_email') {
      if (channel !== 'email') throw new AppError('FLOW_STATE_CONFLICT');
      return { channel, to: ctx.acc.email };
    }
    // The administrator's number is confirmed by a code to it, never by email.
    if (flow.state !== 'confirm_pending_phone' || channel === 'email')
      throw new AppError('FLOW_STATE_CONFLICT');
    const { e164, country } = flow.data.pendingPhone;
    return { channel, to: e164, country };
  }

  /** Sends the code of the flow's current step over `flow.data.channel`. */
  async function sendCurrent(
    flow: SignInFlowAt<CodeStep>,
    ctx: AccountContext,
    origin: RequestOrigin,
  ): Promise<void> {
    const { acc, policy } = ctx;
    const purpose = purposeOf(flow.state);
    const channel = channelOf(flow) ?? 'email';
    if (flow.state === 'second_factor') {
      // A factor the account holds: the registry's code factor sends it.
      await d.factors.get(channel).start({
        account: acc,
        factors: ctx.factors,
        binding: { flowId: flow.id, purpose },
        origin,
        channels: channelsOf(flow, ctx),
        length: policy.codeLength,
      });
      return;
    }
    const target = targetOf(flow, ctx, channel);
    await d.challenges.send({
      binding: { flowId: flow.id, purpose },
      target,
      accountId: acc.id,
      ip: origin.ip,
      alternatives: channelsOf(flow, ctx),
      length: policy.codeLength,
    });
    await d.audit.record({
      action: 'code.sent',
      actorId: acc.id,
      targetId: acc.id,
      origin,
      details: { channel, purpose },
    });
  }

  return {
    sendCurrent,
    view: present.view,
    skippable: present.skippable,

    /** Whether entering the flow's step sends its code (once the step is saved). */
    sendsOnEntry(flow: SignInFlowAt<SignInState>): flow is SignInFlowAt<CodeStep> {
      if (flow.state === 'verify_email' || flow.state === 'confirm_pending_phone') return true;
      return flow.state === 'second_factor' && flow.data.method === 'code';
    },

    /**
     * Side effects of entering a claimed state; the step to save with its own data (none for a
     * step that has none: the claim is the step).
     */
    async enter(
      flow: SignInClaimed,
      ctx: AccountContext,
      origin: RequestOrigin,
    ): Promise<SignInStep | undefined> {
      const { acc, factors, policy } = ctx;
      const progress = progressOf(flow.data);
      if (isEnrolState(flow.state)) {
        // A factor being added: what its enrolment keeps (a new key, a ceremony; nothing yet
        // for a number), made afresh each time the step is entered.
        const context = { account: acc, factors, flowId: flow.id, origin };
        const kept = await d.enrolments.at(flow.state).enter(flow.state, context);
        return kept && ({ state: flow.state, data: { ...progress, ...kept } } as SignInStep);
      }
      switch (flow.state) {
        case 'verify_email': {
          return { state: flow.state, data: { ...progress, channel: 'email' as const } };
        }
        case 'second_factor': {
          // A passkey is the strongest (phishing-resistant) factor, then the app, which costs
          // nothing to use: offered first, nothing sent; otherwise a code by the first channel.
          const first = firstSecondFactor(factors, policy);
          if (!first) throw new AppError('FLOW_STATE_CONFLICT');
          if (isSentMethod(first)) {
            // Saved with its channel before the code is sent (`sendsOnEntry`): a failed send
            // leaves a step the user can resend from.
            return {
              state: flow.state,
              data: { ...progress, method: 'code' as const, channel: first },
            };
          }
          const challenge = await d.factors.get(first).start({
            account: acc,
            factors,
            binding: { flowId: flow.id, purpose: 'second_factor' },
            origin,
            channels: [],
          });
          const data = { ...progress, method: first, ...(challenge.ceremony ? { challenge } : {}) };
          return { state: flow.state, data };
        }
        case 'confirm_pending_phone': {
          const pendingPhone = pendingNow(ctx);
          const channel = pendingPhone.kind === 'mobile' ? ('sms' as const) : ('voice' as const);
          return { state: flow.state, data: { ...progress, channel, pendingPhone } };
        }
        case 'save_recovery_code': {
          const reason =
            progress.secondFactor?.method === 'recovery_code'
              ? 'after_use'
              : factors.recoveryCode
                ? 'not_saved'
                : 'required';
          const { code, record } = await d.recovery.issue(acc, reason, origin);
          const sealed = d.box.seal(Buffer.from(code), recoveryAad(flow.id));
          const newRecoveryCode = { ...sealed, createdAt: record.created_at };
          return { state: flow.state, data: { ...progress, newRecoveryCode } };
        }
        default:
          return undefined;
      }
    },

    /** The step to save for a resend over `channel` (default: the current one), after the cooldown. */
    async resend(
      flow: SignInFlowAt<CodeStep>,
      ctx: AccountContext,
      channel: CodeChannel | undefined,
      origin: RequestOrigin,
    ): Promise<SignInStepAt<CodeStep>> {
      const allowed = channelsOf(flow, ctx);
      const chosen = channel ?? channelOf(flow) ?? allowed[0];
      if (!chosen || !allowed.includes(chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      // The step's cooldown, whatever the channel (but a first switch): before the flow changes.
      const binding = { flowId: flow.id, purpose: purposeOf(flow.state) };
      const progress = progressOf(flow.data);
      if (flow.state === 'second_factor') {
        await d.factors
          .get(chosen)
          .assertMayStart({ account: ctx.acc, factors: ctx.factors, binding, origin });
        // A code now: a ceremony left by another method is dropped.
        return { state: flow.state, data: { ...progress, method: 'code', channel: chosen } };
      }
      await d.challenges.assertMaySend({ binding, target: targetOf(flow, ctx, chosen) });
      if (flow.state === 'verify_email')
        return { state: flow.state, data: { ...progress, channel: 'email' } };
      if (flow.state === 'confirm_pending_phone') {
        // A new code goes to the number entered now (the administrator may have changed it).
        const pendingPhone = pendingNow(ctx);
        if (chosen === 'email' || !canReceive(pendingPhone.kind, chosen))
          throw new AppError('CHANNEL_NOT_AVAILABLE');
        return { state: flow.state, data: { ...progress, channel: chosen, pendingPhone } };
      }
      // A factor being added: its code again, as its enrolment keeps it.
      const code = specAt(flow.state).code;
      if (!code) throw new AppError('FLOW_STATE_CONFLICT');
      const kept = code.withChannel(flow.data, chosen);
      return { state: flow.state, data: { ...progress, ...kept } } as SignInStepAt<CodeStep>;
    },
  };
}
