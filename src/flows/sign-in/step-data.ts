/**
 * What sign-in's step modules share about a flow: the account context a step works in, which
 * code purpose each step's code has, the channels a step's code may go by, and the associated
 * data that binds a sealed secret (a new app key, a recovery code) to its flow.
 */
import type { AccountFactors } from '../../factors/account-factors.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { CodePurpose } from '../../factors/otp-code/codes.js';
import { channelsFor } from '../../factors/phone/numbers.js';
import type { Policy } from '../../policy/presets.js';
import type { Account } from '../../store/schema.js';
import { minimumSteps, type MinimumStep, type SignInState } from './machine.js';
import { secondFactorChannels } from './methods.js';
import type { SignInFlow } from './state-data.js';

export type { SignInFlow };

/** The steps that end with a code. */
export type CodeStep = 'verify_email' | 'second_factor' | 'confirm_phone';

/** The account a flow belongs to, what it holds, and the policy it is under. */
export interface AccountContext {
  acc: Account;
  factors: AccountFactors;
  policy: Policy;
}

export const purposeOf = {
  verify_email: 'verify_email',
  second_factor: 'second_factor',
  confirm_phone: 'confirm_phone',
} as const satisfies Record<CodeStep, CodePurpose>;

export const isCodeStep = (state: SignInState): state is CodeStep => state in purposeOf;

/** Binds a sealed recovery code to its flow. */
export const recoveryAad = (flowId: string) => `sign-in-recovery-code:${flowId}`;
/** Binds a sealed new app key to its flow. */
export const totpAad = (flowId: string) => `sign-in-totp:${flowId}`;

export const isMinimumStep = (state: SignInState): state is MinimumStep =>
  (minimumSteps as readonly SignInState[]).includes(state);

/** The channels a code of the flow's step may go by. */
export function channelsOf(flow: SignInFlow, { factors, policy }: AccountContext): CodeChannel[] {
  switch (flow.state) {
    case 'verify_email':
      return ['email'];
    case 'second_factor':
      return secondFactorChannels(factors, policy);
    case 'confirm_phone':
      return channelsFor(flow.data.pendingPhone.kind);
    case 'enrol_phone':
      return ['sms', 'voice'];
    default:
      return [];
  }
}

/** The channel of the flow's step, if it has one. */
export function channelOf(flow: SignInFlow): CodeChannel | undefined {
  switch (flow.state) {
    case 'verify_email':
    case 'second_factor':
    case 'enrol_phone':
    case 'confirm_phone':
      return flow.data.channel;
    default:
      return undefined;
  }
}
