/**
 * What entering each sign-in step does (which code goes where, which recovery code is issued,
 * which passkey ceremony is offered), what the page is shown of a flow, and which channels a
 * resend may use.
 */
import { maskEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { ChallengeView, CodeChannel } from '../../factors/otp-code/challenge.js';
import type { CodePurpose } from '../../factors/otp-code/codes.js';
import {
  authenticationCeremony,
  type AuthenticationCeremony,
} from '../../factors/passkey/ceremony.js';
import { channelsFor, maskPhone } from '../../factors/phone/numbers.js';
import { phoneSaved } from '../../factors/phone/saved.js';
import { formatRecoveryCode } from '../../factors/recovery/code.js';
import type { Account } from '../../store/schema.js';
import type { StoredFlow } from '../flow-store.js';
import {
  secondFactorAlternatives,
  secondFactorChannels,
  type SecondFactorMethod,
  withoutPasskeyRequest,
  type SignInData,
  type SignInState,
} from './machine.js';
import type { SignInDeps } from './service.js';

type SignInFlow = StoredFlow<SignInState, SignInData>;
type OpenStep = Exclude<SignInState, 'completed' | 'restart'>;

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
}

const purposeOf: Partial<Record<SignInState, CodePurpose>> = {
  verify_email: 'verify_email',
  second_factor: 'second_factor',
  confirm_phone: 'confirm_phone',
};

/** Binds a sealed recovery code to its flow. */
const recoveryAad = (flowId: string) => `sign-in-recovery-code:${flowId}`;

export function createSignInSteps(d: SignInDeps) {
  const { policy } = d;

  /** A new passkey ceremony for the account's usable passkeys (second factor: UV preferred). */
  async function passkeyRequest(acc: Account): Promise<AuthenticationCeremony> {
    const allow = (await d.passkeys.list(acc.id)).filter((p) => p.flagged_at === null);
    return authenticationCeremony(d.rp, d.clock.now(), { allow, userVerification: 'preferred' });
  }

  function requirePhone(factors: AccountFactors) {
    if (!factors.phone) throw new AppError('FLOW_STATE_CONFLICT');
    return factors.phone;
  }

  function channelsOf(flow: SignInFlow, factors: AccountFactors): CodeChannel[] {
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

  /** Sends the code of the flow's current step over `flow.data.channel`. */
  async function sendCurrent(
    flow: SignInFlow,
    acc: Account,
    factors: AccountFactors,
    origin: RequestOrigin,
  ): Promise<void> {
    const purpose = purposeOf[flow.state];
    const channel = flow.data.channel ?? 'email';
    if (!purpose) throw new AppError('FLOW_STATE_CONFLICT');
    let target;
    if (channel === 'email') target = { channel, to: acc.email };
    else if (flow.state === 'confirm_phone' && flow.data.pendingPhone) {
      target = {
        channel,
        to: flow.data.pendingPhone.e164,
        country: flow.data.pendingPhone.country,
      };
    } else {
      const phone = requirePhone(factors);
      target = { channel, to: phone.e164, country: phone.country };
    }
    await d.challenges.send({
      binding: { flowId: flow.id, purpose },
      target,
      accountId: acc.id,
      ip: origin.ip,
      alternatives: channelsOf(flow, factors),
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

    /** Side effects of entering `state`; returns the flow data to store with it. */
    async enter(
      state: SignInState,
      flow: SignInFlow,
      acc: Account,
      factors: AccountFactors,
      data: SignInData,
      origin: RequestOrigin,
    ): Promise<SignInData> {
      if (state === 'verify_email') {
        const next = { ...data, channel: 'email' as const };
        await sendCurrent({ ...flow, state, data: next }, acc, factors, origin);
        return next;
      }
      if (state === 'second_factor') {
        // A passkey is the strongest (phishing-resistant) factor, then the app, which costs
        // nothing to use: offered first, nothing sent.
        if (factors.passkeys > 0)
          return { ...data, method: 'passkey', passkeyRequest: await passkeyRequest(acc) };
        if (factors.totp) return { ...data, method: 'totp' };
        const next: SignInData = {
          ...data,
          method: 'code',
          channel: secondFactorChannels(factors, policy)[0]!,
        };
        await sendCurrent({ ...flow, state, data: next }, acc, factors, origin);
        return next;
      }
      if (state === 'save_recovery_code') {
        const reason =
          data.secondFactor?.factor === 'recovery_code'
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

    /** The data for a resend over `channel` (default: the current one), after the cooldown. */
    async resend(
      flow: SignInFlow,
      factors: AccountFactors,
      channel: CodeChannel | undefined,
    ): Promise<SignInData> {
      const allowed = channelsOf(flow, factors);
      const chosen = channel ?? flow.data.channel ?? allowed[0];
      if (!chosen || !allowed.includes(chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const purpose = purposeOf[flow.state];
      if (!purpose) throw new AppError('FLOW_STATE_CONFLICT');
      const sendingAlready = (flow.data.method ?? 'code') === 'code';
      // Switching channel (or from the app to a sent code) is not a resend: no cooldown for it.
      if (sendingAlready && chosen === flow.data.channel)
        await d.challenges.assertResendAllowed({ flowId: flow.id, purpose });
      return {
        ...withoutPasskeyRequest(flow.data),
        channel: chosen,
        ...(flow.state === 'second_factor' ? { method: 'code' as const } : {}),
      };
    },

    /**
     * Switches the second_factor step to a passkey (a new ceremony each time: also the way to
     * try again), the app or the recovery code.
     */
    async chooseMethod(
      flow: SignInFlow,
      acc: Account,
      factors: AccountFactors,
      method: Exclude<SecondFactorMethod, 'code'>,
    ): Promise<SignInData> {
      if (!secondFactorAlternatives(factors).includes(method))
        throw new AppError('METHOD_NOT_AVAILABLE');
      const data = withoutPasskeyRequest(flow.data);
      if (method === 'passkey')
        return { ...data, method, passkeyRequest: await passkeyRequest(acc) };
      return { ...data, method };
    },

    async savePhone(
      acc: Account,
      pending: NonNullable<SignInData['pendingPhone']>,
      origin: RequestOrigin,
    ): Promise<void> {
      const previous = await d.phones.save(acc.id, pending, d.clock.now());
      await phoneSaved(d, acc, pending, previous, origin);
    },

    async view(
      token: string,
      flow: SignInFlow,
      acc: Account,
      factors: AccountFactors,
    ): Promise<FlowView> {
      if (flow.state === 'completed' || flow.state === 'restart')
        throw new AppError('FLOW_STATE_CONFLICT');
      const purpose = purposeOf[flow.state];
      const channel = flow.data.channel ?? 'email';
      const method = flow.data.method ?? 'code';
      const sending = flow.state !== 'second_factor' || method === 'code';
      let destination: string | null = null;
      if (flow.state === 'verify_email' || (flow.state === 'second_factor' && channel === 'email'))
        destination = maskEmail(acc.email);
      else if (flow.state === 'second_factor' && factors.phone)
        destination = maskPhone(factors.phone.e164);
      else if (flow.state === 'confirm_phone' && flow.data.pendingPhone)
        destination = maskPhone(flow.data.pendingPhone.e164);
      const channels = channelsOf(flow, factors);
      const sealed = flow.data.newRecoveryCode;
      const shown =
        flow.state === 'save_recovery_code' && sealed
          ? d.box.open(sealed, recoveryAad(flow.id)).toString()
          : null;
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
        skippable: flow.state === 'enrol_phone' && policy.phoneAtSignIn === 'offer',
        phoneDefaultCountry:
          flow.state === 'enrol_phone' || flow.state === 'confirm_phone'
            ? d.phoneRules.defaultCountry
            : null,
        code:
          purpose && sending
            ? await d.challenges.view({ flowId: flow.id, purpose }, channel)
            : null,
        secondFactor:
          flow.state === 'second_factor'
            ? { method, alternatives: secondFactorAlternatives(factors) }
            : null,
        recoveryCode:
          shown !== null && sealed
            ? { code: formatRecoveryCode(shown), digits: shown.length, createdAt: sealed.createdAt }
            : null,
        passkey:
          flow.state === 'second_factor' && method === 'passkey'
            ? (flow.data.passkeyRequest ?? null)
            : null,
      };
    },
  };
}
