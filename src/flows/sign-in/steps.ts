/**
 * What entering each sign-in step does: which code goes where (a held factor's through the
 * registry), which recovery code is issued, which passkey ceremony is offered, which app key or
 * passkey registration is prepared; and a resend over another channel, after the cooldown.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { CodeChannel, CodeTarget } from '../../factors/otp-code/challenge.js';
import { registrationCeremony } from '../../factors/passkey/ceremony.js';
import { savePhone } from '../../factors/phone/saved.js';
import { isSentMethod } from '../../factors/registry.js';
import { newTotpSecret } from '../../factors/totp/totp.js';
import type { Account } from '../../store/schema.js';
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
  channelsOf,
  purposeOf,
  recoveryAad,
  totpAad,
  type AccountContext,
  type CodeStep,
} from './step-data.js';
import { createSignInView } from './view.js';

export type { AccountContext } from './step-data.js';
export type { FlowView } from './view.js';

export function createSignInSteps(d: SignInDeps) {
  const present = createSignInView(d);
  /** Where a code of verify_email or confirm_phone goes over `channel`. */
  function targetOf(
    flow: SignInFlowAt<'verify_email' | 'confirm_phone'>,
    ctx: AccountContext,
    channel: CodeChannel,
  ): CodeTarget {
    if (channel === 'email') return { channel, to: ctx.acc.email };
    if (flow.state !== 'confirm_phone') throw new AppError('FLOW_STATE_CONFLICT');
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
    const purpose = purposeOf[flow.state];
    const channel = flow.data.channel ?? 'email';
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
      if (flow.state === 'verify_email') return true;
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
        case 'enrol_totp':
          // A new key each time the step is entered; the page shows it until a code confirms it.
          return {
            state: flow.state,
            data: { ...progress, pendingTotp: d.box.seal(newTotpSecret(), totpAad(flow.id)) },
          };
        case 'enrol_passkey': {
          const existing = await d.passkeys.list(acc.id);
          const ceremony = registrationCeremony(d.rp, d.clock.now(), { account: acc, existing });
          return { state: flow.state, data: { ...progress, passkeyRegistration: ceremony } };
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

    /** The new app key of an enrol_totp flow. */
    pendingTotp(flow: SignInFlowAt<'enrol_totp'>): Buffer {
      return d.box.open(flow.data.pendingTotp, totpAad(flow.id));
    },

    /** The step to save for a resend over `channel` (default: the current one), after the cooldown. */
    async resend(
      flow: SignInFlowAt<CodeStep>,
      ctx: AccountContext,
      channel: CodeChannel | undefined,
      origin: RequestOrigin,
    ): Promise<SignInStepAt<CodeStep>> {
      const allowed = channelsOf(flow, ctx);
      const chosen = channel ?? flow.data.channel ?? allowed[0];
      if (!chosen || !allowed.includes(chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      // The step's cooldown, whatever the channel (but a first switch): before the flow changes.
      const binding = { flowId: flow.id, purpose: purposeOf[flow.state] };
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
      const { pendingPhone } = flow.data;
      return { state: flow.state, data: { ...progress, channel: chosen, pendingPhone } };
    },

    async savePhone(acc: Account, pending: PendingPhone, origin: RequestOrigin): Promise<void> {
      await savePhone(d, acc, pending, origin);
    },
  };
}
