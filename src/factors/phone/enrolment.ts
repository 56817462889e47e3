/**
 * Adding a phone inside sign-in: a number entered (enrol_phone), checked for the channel asked
 * (a landline takes calls only) and the flow's cooldown (S10), then confirmed by the code sent
 * to it (confirm_phone, counted like every code: S5) and saved with its notices (S21). Seed 002
 * has the user sign in again afterwards.
 */
import { AppError } from '../../errors/app-error.js';
import { checkCode, type CodeCheckDeps } from '../counted-check.js';
import { isObject, isText, type Enrolment, type EnrolmentDescriptor } from '../enrolment.js';
import type { CodeChannel, Challenges } from '../otp-code/challenge.js';
import { canReceive, channelsFor, maskPhone, parsePhone, type PhoneRules } from './numbers.js';
import type { NewPhone } from './repo.js';
import { savePhone, type PhoneSavedDeps } from './saved.js';

/** What each step keeps in the flow (JSON field names kept). */
export interface PhoneSignInSteps {
  enrol_phone: { channel?: CodeChannel };
  confirm_phone: { channel: CodeChannel; pendingPhone: NewPhone };
}
export type PhoneEnrolmentView = { phoneDefaultCountry: string | null };
export const noPhoneEnrolmentView: PhoneEnrolmentView = { phoneDefaultCountry: null };

export const phoneEnrolment: EnrolmentDescriptor<PhoneSignInSteps> = {
  factor: 'phone',
  order: ['enrol_phone', 'confirm_phone'],
  steps: {
    enrol_phone: {
      fits: (raw) => raw.channel === undefined || isText(raw.channel),
      channels: () => ['sms', 'voice'],
      channel: (kept) => kept.channel,
    },
    confirm_phone: {
      fits: (raw) =>
        isText(raw.channel) && isObject(raw.pendingPhone) && isText(raw.pendingPhone.e164),
      channels: (kept) => channelsFor(kept.pendingPhone.kind),
      channel: (kept) => kept.channel,
      code: {
        purpose: 'confirm_phone',
        target: ({ pendingPhone }, channel) => {
          if (channel === 'email') throw new AppError('FLOW_STATE_CONFLICT');
          return { channel, to: pendingPhone.e164, country: pendingPhone.country };
        },
        destination: (kept) => maskPhone(kept.pendingPhone.e164),
        withChannel: (kept, channel) => ({ channel, pendingPhone: kept.pendingPhone }),
      },
    },
  },
  signInAgain: {
    when: (policy) => policy.signInAgainAfterPhoneEnrolment,
    message: 'Your phone number is verified. Sign in again to continue.',
  },
};

export interface PhoneEnrolmentDeps extends CodeCheckDeps, PhoneSavedDeps {
  phoneRules: PhoneRules;
  challenges: Pick<Challenges, 'assertMaySend'>;
}

export function createPhoneEnrolment(deps: PhoneEnrolmentDeps): Enrolment {
  return {
    descriptor: phoneEnrolment,
    enter: async () => undefined,
    show: async () => ({ phoneDefaultCountry: deps.phoneRules.defaultCountry }),
    async answer({ step, kept, answer, account, flowId, origin, onFailure }) {
      if ('phone' in answer) {
        // A number entered, or entered again while its code waits.
        const parsed = parsePhone(answer.phone, deps.phoneRules);
        if (!canReceive(parsed.kind, answer.channel)) throw new AppError('CHANNEL_NOT_AVAILABLE');
        const pendingPhone = { e164: parsed.e164, country: parsed.country, kind: parsed.kind };
        // The flow's cooldown holds for any number (S10): checked before the flow changes.
        await deps.challenges.assertMaySend({
          binding: { flowId, purpose: 'confirm_phone' },
          target: { channel: answer.channel, to: parsed.e164, country: parsed.country },
        });
        return { next: 'confirm_phone', kept: { channel: answer.channel, pendingPhone } };
      }
      if (step !== 'confirm_phone' || !('code' in answer))
        throw new AppError('FLOW_STATE_CONFLICT');
      const { pendingPhone } = kept as PhoneSignInSteps['confirm_phone'];
      await checkCode(deps, {
        binding: { flowId, purpose: 'confirm_phone' },
        code: answer.code,
        accountId: account.id,
        origin,
        onFailure,
      });
      await savePhone(deps, account, pendingPhone, origin);
      return { added: true };
    },
  };
}
