/**
 * What sign-in's step modules share about a flow: the account context a step works in, which
 * code purpose each step's code has, the channels a step's code may go by (a factor being added:
 * as its enrolment says), and the associated data that binds a sealed recovery code to its flow.
 */
import { AppError } from '../../errors/app-error.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import { isEnrolState, specAt, type EnrolState } from '../../factors/enrolments.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { CodePurpose } from '../../factors/otp-code/codes.js';
import { channelsFor } from '../../factors/phone/numbers.js';
import type { PendingPhone as PendingPhoneRow } from '../../factors/phone/repo.js';
import type { Policy } from '../../policy/presets.js';
import type { Account } from '../../store/schema.js';
import { minimumSteps, type MinimumStep, type SignInState } from './machine.js';
import { secondFactorChannels } from './methods.js';
import type { SignInFlow } from './state-data.js';

export type { SignInFlow };

/** The steps that end with a code: sign-in's own, and a factor's step with a code (`isCodeStep`). */
type OwnCodeStep = 'verify_email' | 'second_factor' | 'confirm_pending_phone';
export type CodeStep = OwnCodeStep | EnrolState;

/** The account a flow belongs to, what it holds, and the policy it is under. */
export interface AccountContext {
  acc: Account;
  factors: AccountFactors;
  policy: Policy;
  /** The number an administrator entered, until the user confirms it (seed 002). */
  pendingPhone: PendingPhoneRow | undefined;
}

const ownPurposes = {
  verify_email: 'verify_email',
  second_factor: 'second_factor',
  confirm_pending_phone: 'confirm_pending_phone',
} as const satisfies Record<OwnCodeStep, CodePurpose>;

/** The purpose of a code step's code (a factor's step: its enrolment's). */
export function purposeOf(state: CodeStep): CodePurpose {
  if (!isEnrolState(state)) return ownPurposes[state];
  const code = specAt(state).code;
  if (!code) throw new AppError('FLOW_STATE_CONFLICT');
  return code.purpose;
}

export const isCodeStep = (state: SignInState): state is CodeStep =>
  isEnrolState(state) ? specAt(state).code !== undefined : state in ownPurposes;

/** Binds a sealed recovery code to its flow. */
export const recoveryAad = (flowId: string) => `sign-in-recovery-code:${flowId}`;

export const isMinimumStep = (state: SignInState): state is MinimumStep =>
  (minimumSteps as readonly SignInState[]).includes(state);

/** The channels a code of the flow's step may go by. */
export function channelsOf(flow: SignInFlow, { factors, policy }: AccountContext): CodeChannel[] {
  if (isEnrolState(flow.state)) return specAt(flow.state).channels?.(flow.data) ?? [];
  switch (flow.state) {
    case 'verify_email':
      return ['email'];
    case 'second_factor':
      return secondFactorChannels(factors, policy);
    case 'confirm_pending_phone':
      return channelsFor(flow.data.pendingPhone.kind);
    default:
      return [];
  }
}

/** The channel of the flow's step, if it has one. */
export function channelOf(flow: SignInFlow): CodeChannel | undefined {
  if (isEnrolState(flow.state)) return specAt(flow.state).channel?.(flow.data);
  switch (flow.state) {
    case 'verify_email':
    case 'second_factor':
    case 'confirm_pending_phone':
      return flow.data.channel;
    default:
      return undefined;
  }
}
