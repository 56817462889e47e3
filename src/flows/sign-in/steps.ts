/**
 * What entering each sign-in step does (which code goes where, which recovery code is issued,
 * which passkey ceremony is offered, which app key or passkey registration is prepared), what
 * the page is shown of a flow, and which channels a resend may use. Every function takes the
 * account's context: the account, what it holds, and its policy (the deployment's, tightened by
 * its organisation's).
 */
import { maskEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { ChallengeView, CodeChannel, CodeTarget } from '../../factors/otp-code/challenge.js';
import type { CodePurpose } from '../../factors/otp-code/codes.js';
import {
  registrationCeremony,
  type AuthenticationCeremony,
  type CreationOptions,
} from '../../factors/passkey/ceremony.js';
import { isSentMethod } from '../../factors/registry.js';
import { channelsFor, maskPhone } from '../../factors/phone/numbers.js';
import { savePhone } from '../../factors/phone/saved.js';
import { formatRecoveryCode } from '../../factors/recovery/code.js';
import { totpKeyView, type TotpKeyView } from '../../factors/totp/enrol.js';
import { newTotpSecret } from '../../factors/totp/totp.js';
import type { FactorKind, Policy } from '../../policy/presets.js';
import type { Account } from '../../store/schema.js';
import type { StoredFlow } from '../../store/flow-store.js';
import {
  evaluateAccount,
  firstSecondFactor,
  methodInUse,
  minimumSteps,
  minimumWays,
  secondFactorAlternatives,
  secondFactorChannels,
  type MinimumStep,
  type SecondFactorMethod,
  withoutChallenge,
  type SignInData,
  type SignInState,
} from './machine.js';
import { holdingsOf } from '../../policy/holdings.js';
import type { SignInDeps } from './core.js';

type SignInFlow = StoredFlow<SignInState, SignInData>;
type OpenStep = Exclude<SignInState, 'completed' | 'restart'>;

/** The account a flow belongs to, what it holds, and the policy it is under. */
export interface AccountContext {
  acc: Account;
  factors: AccountFactors;
  policy: Policy;
}

/** One way to meet the policy's minimum, as the choose_mfa page lists it. */
export interface MinimumWayView {
  /** The factors of this way (seed 001: `passkey`; `totp`+`phone`; `password`+`phone`). */
  factors: FactorKind[];
  /** What it still lacks. */
  missing: FactorKind[];
  /** Whether sign-in can add what it lacks (a password cannot be added here). */
  available: boolean;
}

export interface MinimumView {
  ways: MinimumWayView[];
  /** The way chosen in this flow, if any (an index into `ways`). */
  chosen: number | null;
  /** When the minimum binds (null: it has no date). */
  deadline: number | null;
  /** Sign-in cannot go on until it is met (after the date, or a policy that blocks). */
  enforced: boolean;
}

export interface FlowView {
  flow: string;
  step: OpenStep;
  expiresAt: number;
  serverTime: number;
  /** Masked email or phone the pending code went to (null before a number is entered). */
  destination: string | null;
  /** Channels the user may ask a code by in this step, the current one first. */
  channels: CodeChannel[];
  /** Whether "Skip for Now" is offered. */
  skippable: boolean;
  /** For entering a number: the country assumed for national numbers. */
  phoneDefaultCountry: string | null;
  code: ChallengeView | null;
  /** In second_factor: what is being entered now, and the other ways through. */
  secondFactor: {
    method: SecondFactorMethod;
    alternatives: Exclude<SecondFactorMethod, 'code'>[];
  } | null;
  /** In second_factor with a passkey: the options for navigator.credentials.get (S15). */
  passkey: AuthenticationCeremony | null;
  /** In save_recovery_code: the new code, shown until the user says it is saved. */
  recoveryCode: { code: string; digits: number; createdAt: number } | null;
  /** In the steps of meeting the policy's minimum: its ways, the deadline, whether it blocks. */
  minimum: MinimumView | null;
  /** In enrol_totp: the new key for the app (QR code and text), until a code confirms it. */
  totp: TotpKeyView | null;
  /** In enrol_passkey: the options for navigator.credentials.create (S15). */
  passkeyRegistration: { options: CreationOptions; expiresAt: number } | null;
}

const purposeOf: Partial<Record<SignInState, CodePurpose>> = {
  verify_email: 'verify_email',
  second_factor: 'second_factor',
  confirm_phone: 'confirm_phone',
};

/** Binds a sealed recovery code to its flow. */
const recoveryAad = (flowId: string) => `sign-in-recovery-code:${flowId}`;
/** Binds a sealed new app key to its flow. */
const totpAad = (flowId: string) => `sign-in-totp:${flowId}`;

const isMinimumStep = (state: SignInState): state is MinimumStep =>
  (minimumSteps as readonly SignInState[]).includes(state);

export function createSignInSteps(d: SignInDeps) {
  function channelsOf(flow: SignInFlow, { factors, policy }: AccountContext): CodeChannel[] {
    switch (flow.state) {
      case 'verify_email':
        return ['email'];
      case 'second_factor':
        return secondFactorChannels(factors, policy);
      case 'confirm_phone':
        return flow.data.pendingPhone ? channelsFor(flow.data.pendingPhone.kind) : [];
      case 'enrol_phone':
        return ['sms', 'voice'];
      default:
        return [];
    }
  }

  /** Where a code of verify_email or confirm_phone goes over `channel`. */
  function targetOf(flow: SignInFlow, ctx: AccountContext, channel: CodeChannel): CodeTarget {
    if (channel === 'email') return { channel, to: ctx.acc.email };
    if (flow.state !== 'confirm_phone' || !flow.data.pendingPhone)
      throw new AppError('FLOW_STATE_CONFLICT');
    const { e164, country } = flow.data.pendingPhone;
    return { channel, to: e164, country };
  }

  /** Sends the code of the flow's current step over `flow.data.channel`. */
  async function sendCurrent(
    flow: SignInFlow,
    ctx: AccountContext,
    origin: RequestOrigin,
  ): Promise<void> {
    const { acc, policy } = ctx;
    const purpose = purposeOf[flow.state];
    const channel = flow.data.channel ?? 'email';
    if (!purpose) throw new AppError('FLOW_STATE_CONFLICT');
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

  /** What the choose_mfa and enrol steps show of the minimum. */
  function minimumView(flow: SignInFlow, ctx: AccountContext): MinimumView {
    const { acc, factors, policy } = ctx;
    const ev = evaluateAccount(acc, factors, policy, d.clock.now());
    return {
      ways: minimumWays(policy, holdingsOf(acc, factors)).map(
        ({ factors: f, missing, available }) => ({ factors: f, missing, available }),
      ),
      chosen: flow.data.minimumChoice ?? null,
      deadline: ev.deadline,
      enforced: ev.grace === 'block',
    };
  }

  /** Whether "Skip for Now" is offered: in the minimum's steps, while it does not block. */
  function skippable(flow: SignInFlow, ctx: AccountContext): boolean {
    if (!isMinimumStep(flow.state)) return false;
    const ev = evaluateAccount(ctx.acc, ctx.factors, ctx.policy, d.clock.now());
    return ev.actions.some((a) => a.action === 'meet_minimum' && a.skippable);
  }

  return {
    sendCurrent,
    skippable,

    /** Side effects of entering `state`; returns the flow data to store with it. */
    async enter(
      state: SignInState,
      flow: SignInFlow,
      ctx: AccountContext,
      data: SignInData,
      origin: RequestOrigin,
    ): Promise<SignInData> {
      const { acc, factors, policy } = ctx;
      if (state === 'verify_email') {
        const next = { ...data, channel: 'email' as const };
        await sendCurrent({ ...flow, state, data: next }, ctx, origin);
        return next;
      }
      if (state === 'second_factor') {
        // A passkey is the strongest (phishing-resistant) factor, then the app, which costs
        // nothing to use: offered first, nothing sent; otherwise a code by the first channel.
        const first = firstSecondFactor(factors, policy);
        if (!first) throw new AppError('FLOW_STATE_CONFLICT');
        if (isSentMethod(first)) {
          const next: SignInData = { ...data, method: 'code', channel: first };
          await sendCurrent({ ...flow, state, data: next }, ctx, origin);
          return next;
        }
        const challenge = await d.factors.get(first).start({
          account: acc,
          factors,
          binding: { flowId: flow.id, purpose: 'second_factor' },
          origin,
          channels: [],
        });
        return { ...data, method: first, ...(challenge.ceremony ? { challenge } : {}) };
      }
      if (state === 'enrol_totp') {
        // A new key each time the step is entered; the page shows it until a code confirms it.
        return { ...data, pendingTotp: d.box.seal(newTotpSecret(), totpAad(flow.id)) };
      }
      if (state === 'enrol_passkey') {
        const existing = await d.passkeys.list(acc.id);
        const ceremony = registrationCeremony(d.rp, d.clock.now(), { account: acc, existing });
        return { ...data, passkeyRegistration: ceremony };
      }
      if (state === 'save_recovery_code') {
        const reason =
          data.secondFactor?.method === 'recovery_code'
            ? 'after_use'
            : factors.recoveryCode
              ? 'not_saved'
              : 'required';
        const { code, record } = await d.recovery.issue(acc, reason, origin);
        const sealed = d.box.seal(Buffer.from(code), recoveryAad(flow.id));
        return { ...data, newRecoveryCode: { ...sealed, createdAt: record.created_at } };
      }
      return data;
    },

    /** The new app key of an enrol_totp flow. */
    pendingTotp(flow: SignInFlow): Buffer {
      if (flow.state !== 'enrol_totp' || !flow.data.pendingTotp)
        throw new AppError('FLOW_STATE_CONFLICT');
      return d.box.open(flow.data.pendingTotp, totpAad(flow.id));
    },

    /** The data for a resend over `channel` (default: the current one), after the cooldown. */
    async resend(
      flow: SignInFlow,
      ctx: AccountContext,
      channel: CodeChannel | undefined,
      origin: RequestOrigin,
    ): Promise<SignInData> {
      const allowed = channelsOf(flow, ctx);
      const chosen = channel ?? flow.data.channel ?? allowed[0];
      if (!chosen || !allowed.includes(chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const purpose = purposeOf[flow.state];
      if (!purpose) throw new AppError('FLOW_STATE_CONFLICT');
      // The step's cooldown, whatever the channel (but a first switch): before the flow changes.
      const binding = { flowId: flow.id, purpose };
      if (flow.state === 'second_factor')
        await d.factors
          .get(chosen)
          .assertMayStart({ account: ctx.acc, factors: ctx.factors, binding, origin });
      else await d.challenges.assertMaySend({ binding, target: targetOf(flow, ctx, chosen) });
      return {
        ...withoutChallenge(flow.data),
        channel: chosen,
        ...(flow.state === 'second_factor' ? { method: 'code' as const } : {}),
      };
    },

    async savePhone(
      acc: Account,
      pending: NonNullable<SignInData['pendingPhone']>,
      origin: RequestOrigin,
    ): Promise<void> {
      await savePhone(d, acc, pending, origin);
    },

    async view(token: string, flow: SignInFlow, ctx: AccountContext): Promise<FlowView> {
      const { acc, factors, policy } = ctx;
      if (flow.state === 'completed' || flow.state === 'restart')
        throw new AppError('FLOW_STATE_CONFLICT');
      const purpose = purposeOf[flow.state];
      const channel = flow.data.channel ?? 'email';
      const method = flow.data.method ?? 'code';
      const sending = flow.state !== 'second_factor' || method === 'code';
      let destination: string | null = null;
      if (flow.state === 'verify_email') destination = maskEmail(acc.email);
      else if (flow.state === 'second_factor')
        destination = d.factors.get(methodInUse(flow.data)).destination(acc, factors);
      else if (flow.state === 'confirm_phone' && flow.data.pendingPhone)
        destination = maskPhone(flow.data.pendingPhone.e164);
      const channels = channelsOf(flow, ctx);
      const sealed = flow.data.newRecoveryCode;
      const shown =
        flow.state === 'save_recovery_code' && sealed
          ? d.box.open(sealed, recoveryAad(flow.id)).toString()
          : null;
      const registration = flow.state === 'enrol_passkey' ? flow.data.passkeyRegistration : null;
      return {
        flow: token,
        step: flow.state,
        expiresAt: flow.expiresAt,
        serverTime: d.clock.now(),
        destination: sending ? destination : null,
        channels:
          sending && flow.data.channel && channels.includes(flow.data.channel)
            ? [flow.data.channel, ...channels.filter((c) => c !== flow.data.channel)]
            : channels,
        skippable: skippable(flow, ctx),
        phoneDefaultCountry:
          flow.state === 'enrol_phone' || flow.state === 'confirm_phone'
            ? d.phoneRules.defaultCountry
            : null,
        code:
          purpose && sending
            ? await d.challenges.view({ flowId: flow.id, purpose }, channel, policy.codeLength)
            : null,
        secondFactor:
          flow.state === 'second_factor'
            ? { method, alternatives: secondFactorAlternatives(factors, policy) }
            : null,
        recoveryCode:
          shown !== null && sealed
            ? { code: formatRecoveryCode(shown), digits: shown.length, createdAt: sealed.createdAt }
            : null,
        passkey: flow.state === 'second_factor' ? (flow.data.challenge?.ceremony ?? null) : null,
        minimum: isMinimumStep(flow.state) ? minimumView(flow, ctx) : null,
        totp:
          flow.state === 'enrol_totp' && flow.data.pendingTotp
            ? await totpKeyView(
                d.box.open(flow.data.pendingTotp, totpAad(flow.id)),
                d.portalName,
                acc.email,
              )
            : null,
        passkeyRegistration: registration
          ? { options: registration.options, expiresAt: registration.expiresAt }
          : null,
      };
    },
  };
}
