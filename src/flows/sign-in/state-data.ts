/**
 * Sign-in's data per state (issue 12): what a flow carries through every step (its progress),
 * what one step holds of its own, as a discriminated union keyed by state, the claim a move
 * makes before its step is entered, and the check that stored data fits its state.
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { Challenge, Proof } from '../../factors/factor.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { PasskeyProof } from '../../factors/passkey/verifier.js';
import {
  isEnrolState,
  specAt,
  type EnrolState,
  type EnrolStepData,
} from '../../factors/enrolments.js';
import type { PhoneChannel } from '../../factors/phone/numbers.js';
import type { NewPhone } from '../../factors/phone/repo.js';
import { methods } from '../../factors/registry.js';
import type { StoredFlow } from '../../store/flow-store.js';
import { transitions, type SecondFactorMethod, type SignInState } from './machine.js';

export type { SecondFactorMethod };

/** What a sign-in carries through every step: its progress (JSON field names kept). */
export interface SignInProgress {
  /** When the password was verified (the `pwd` entry of the session's amr); absent after a passkey. */
  passwordAt?: number;
  /** A password-less sign-in: the passkey, with user verification (multi-factor by itself). */
  passkeySignIn?: PasskeyProof;
  /** The second factor passed in this flow: its method, time and `amr` (the registry's proof). */
  secondFactor?: Proof;
  /** When a factor was added in this flow (it never vouches for itself: no second factor after). */
  enrolledAt?: number;
  /** The way of meeting the minimum the user chose (an index into the policy's `minimum`). */
  minimumChoice?: number;
  /** "Skip for Now" in this flow: the minimum is not asked again before the session. */
  minimumSkippedAt?: number;
  /** When the user confirmed saving the recovery code shown in this flow. */
  recoveryCodeSavedAt?: number;
  /** The user took another way than the number an administrator entered (it stays pending). */
  pendingPhoneDeclinedAt?: number;
}
export const progressKeys = [
  'passwordAt',
  'passkeySignIn',
  'secondFactor',
  'enrolledAt',
  'minimumChoice',
  'minimumSkippedAt',
  'recoveryCodeSavedAt',
  'pendingPhoneDeclinedAt',
] as const satisfies readonly (keyof SignInProgress)[];

/** The progress alone: what moves on to the next step (nothing of this step's own leaks). */
export function progressOf(data: SignInProgress): SignInProgress {
  const out: Partial<Record<keyof SignInProgress, unknown>> = {};
  for (const key of progressKeys) if (data[key] !== undefined) out[key] = data[key];
  return out as SignInProgress;
}

/** A number being confirmed at sign-in (an administrator's, or one the user entered). */
export type PendingPhone = NewPhone;

/**
 * In second_factor: a code sent over `channel`, or another method (the channel a code went by
 * before, kept for a resend); what the factor's start left (a passkey's ceremony, answered once).
 */
export type SecondFactorData =
  | { method: 'code'; channel: CodeChannel; challenge?: Challenge }
  | { method: Exclude<SecondFactorMethod, 'code'>; channel?: CodeChannel; challenge?: Challenge };

type Empty = Record<never, never>;
/** What each step holds of its own, beside the progress (a factor being added: its own data). */
interface StepParts extends EnrolStepData {
  verify_email: { channel: 'email' };
  second_factor: SecondFactorData;
  /** The number an administrator entered, as it was when its code was sent (text, or call). */
  confirm_pending_phone: { channel: PhoneChannel; pendingPhone: PendingPhone };
  choose_mfa: Empty;
  /** The recovery code issued in this flow, sealed (never in the clear at rest), until saved. */
  save_recovery_code: { newRecoveryCode: Sealed & { createdAt: number } };
  completed: Empty;
  restart: Empty;
}

/** Each state with exactly its data: a save names both (core.ts `save`), checked together. */
export type SignInStep = {
  [S in SignInState]: { state: S; data: SignInProgress & StepParts[S] };
}[SignInState];
export type SignInStepAt<S extends SignInState> = Extract<SignInStep, { state: S }>;
export type SignInData = SignInStep['data'];

/**
 * A state held with the progress only: a move claimed before its step is entered (steps.ts
 * `enter` saves the step's data after), or a step whose secret was taken out to be answered once.
 */
export type SignInClaim<S extends SignInState = SignInState> = {
  state: S;
  claim: true;
  data: SignInProgress;
};

/** A stored sign-in: narrowing on `state` narrows `data`. */
export type SignInFlowAt<S extends SignInState> = S extends SignInState
  ? StoredFlow<S, SignInStepAt<S>['data']>
  : never;
export type SignInFlow = SignInFlowAt<SignInState>;
/** A flow just claimed: its state, with the progress only. */
export type SignInClaimedAt<S extends SignInState> = S extends SignInState
  ? StoredFlow<S, SignInProgress>
  : never;
export type SignInClaimed = SignInClaimedAt<SignInState>;

/** Whether the flow is at a step of adding a factor (`factors/enrolments.ts`). */
export const isAddingFactor = (flow: SignInFlow): flow is SignInFlowAt<EnrolState> =>
  isEnrolState(flow.state);

/** Where the table lets a flow at `S` be saved: staying, or a state it lists. */
export type SignInMoveFrom<S extends SignInState> = S | (typeof transitions)[S][number];

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isNumber = (v: unknown) => typeof v === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const optional = (v: unknown, fits: (v: unknown) => boolean) => v === undefined || fits(v);
/** The second step's methods that send nothing (a passkey, the app, the recovery code). */
const otherMethods: readonly unknown[] = methods.filter((m) => !m.sent).map((m) => m.id);

/**
 * Whether loaded data holds what its state says (it is JSON, read back): anything else, an
 * older shape or a claim never entered, is refused as FLOW_STATE_CONFLICT before a step reads it.
 */
export function fitsState(state: string, raw: unknown): boolean {
  if (!(state in transitions) || !isObject(raw)) return false;
  const progressFits = progressKeys.every((key) =>
    optional(raw[key], key === 'passkeySignIn' || key === 'secondFactor' ? isObject : isNumber),
  );
  if (!progressFits) return false;
  if (isEnrolState(state)) return specAt(state).fits(raw);
  const { channel } = raw;
  switch (state as SignInState) {
    case 'verify_email':
      return channel === 'email';
    case 'second_factor':
      return raw.method === 'code'
        ? isText(channel)
        : otherMethods.includes(raw.method) && optional(channel, isText);
    case 'confirm_pending_phone':
      return (
        (channel === 'sms' || channel === 'voice') &&
        isObject(raw.pendingPhone) &&
        isText(raw.pendingPhone.e164)
      );
    case 'save_recovery_code':
      return isObject(raw.newRecoveryCode);
    default:
      return true;
  }
}
