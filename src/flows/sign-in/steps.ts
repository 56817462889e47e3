/**
 * What entering each sign-in step does (which code goes where), what the page is shown of a
 * flow, and which channels a resend may use.
 */
import { maskEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { ChallengeView, CodeChannel } from '../../factors/otp-code/challenge.js';
import type { CodePurpose } from '../../factors/otp-code/codes.js';
import { channelsFor, maskPhone } from '../../factors/phone/numbers.js';
import { phoneSaved } from '../../factors/phone/saved.js';
import type { Account, Phone } from '../../store/schema.js';
import type { StoredFlow } from '../flow-store.js';
import { secondFactorChannels, type SignInData, type SignInState } from './machine.js';
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
  /** Channels the user may ask for in this step, the current one first. */
  channels: CodeChannel[];
  /** Whether "Skip for Now" is offered. */
  skippable: boolean;
  /** For entering a number: the country assumed for national numbers. */
  phoneDefaultCountry: string | null;
  code: ChallengeView | null;
}

const purposeOf: Partial<Record<SignInState, CodePurpose>> = {
  verify_email: 'verify_email',
  second_factor: 'second_factor',
  confirm_phone: 'confirm_phone',
};

export function createSignInSteps(d: SignInDeps) {
  const { policy } = d;

  async function requirePhone(acc: Account): Promise<Phone> {
    const phone = await d.phones.find(acc.id);
    if (!phone) throw new AppError('FLOW_STATE_CONFLICT');
    return phone;
  }

  async function channelsOf(flow: SignInFlow, acc: Account): Promise<CodeChannel[]> {
    switch (flow.state) {
      case 'verify_email':
        return ['email'];
      case 'second_factor':
        return secondFactorChannels(await requirePhone(acc), policy);
      case 'confirm_phone':
        return flow.data.pendingPhone ? channelsFor(flow.data.pendingPhone.kind) : [];
      default:
        return ['sms', 'voice'];
    }
  }

  /** Sends the code of the flow's current step over `flow.data.channel`. */
  async function sendCurrent(flow: SignInFlow, acc: Account, origin: RequestOrigin): Promise<void> {
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
      const phone = await requirePhone(acc);
      target = { channel, to: phone.e164, country: phone.country };
    }
    await d.challenges.send({
      binding: { flowId: flow.id, purpose },
      target,
      accountId: acc.id,
      ip: origin.ip,
      alternatives: await channelsOf(flow, acc),
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
      phone: Phone | undefined,
      data: SignInData,
      origin: RequestOrigin,
    ): Promise<SignInData> {
      if (state === 'verify_email' || state === 'second_factor') {
        const channel =
          state === 'verify_email' ? 'email' : secondFactorChannels(phone!, policy)[0]!;
        const next = { ...data, channel };
        await sendCurrent({ ...flow, state, data: next }, acc, origin);
        return next;
      }
      return data;
    },

    sendPhoneConfirmation: sendCurrent,

    /** The data for a resend over `channel` (default: the current one), after the cooldown. */
    async resend(
      flow: SignInFlow,
      acc: Account,
      channel: CodeChannel | undefined,
    ): Promise<SignInData> {
      const allowed = await channelsOf(flow, acc);
      const chosen = channel ?? flow.data.channel ?? allowed[0];
      if (!chosen || !allowed.includes(chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const purpose = purposeOf[flow.state];
      if (!purpose) throw new AppError('FLOW_STATE_CONFLICT');
      // Switching channel is not a resend of the same code: no cooldown for it.
      if (chosen === flow.data.channel)
        await d.challenges.assertResendAllowed({ flowId: flow.id, purpose });
      return { ...flow.data, channel: chosen };
    },

    async savePhone(
      acc: Account,
      pending: NonNullable<SignInData['pendingPhone']>,
      origin: RequestOrigin,
    ): Promise<void> {
      const previous = await d.phones.save(acc.id, pending, d.clock.now());
      await phoneSaved(d, acc, pending, previous, origin);
    },

    async view(token: string, flow: SignInFlow, acc: Account): Promise<FlowView> {
      if (flow.state === 'completed' || flow.state === 'restart')
        throw new AppError('FLOW_STATE_CONFLICT');
      const purpose = purposeOf[flow.state];
      const channel = flow.data.channel ?? 'email';
      let destination: string | null = null;
      if (flow.state === 'verify_email' || (flow.state === 'second_factor' && channel === 'email'))
        destination = maskEmail(acc.email);
      else if (flow.state === 'second_factor')
        destination = maskPhone((await requirePhone(acc)).e164);
      else if (flow.state === 'confirm_phone' && flow.data.pendingPhone)
        destination = maskPhone(flow.data.pendingPhone.e164);
      const channels = await channelsOf(flow, acc);
      return {
        flow: token,
        step: flow.state,
        expiresAt: flow.expiresAt,
        serverTime: d.clock.now(),
        destination,
        channels:
          flow.data.channel && channels.includes(flow.data.channel)
            ? [flow.data.channel, ...channels.filter((c) => c !== flow.data.channel)]
            : channels,
        skippable: flow.state === 'enrol_phone' && policy.phoneAtSignIn === 'offer',
        phoneDefaultCountry:
          flow.state === 'enrol_phone' || flow.state === 'confirm_phone'
            ? d.phoneRules.defaultCountry
            : null,
        code: purpose ? await d.challenges.view({ flowId: flow.id, purpose }, channel) : null,
      };
    },
  };
}
