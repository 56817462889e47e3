/**
 * Sign-in's data per state (issue 12): what a flow carries through every step (its progress),
 * what one step holds of its own, as a discriminated union keyed by state, the claim a move
 * makes before its step is entered, and the check that stored data fits its state.
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { Challenge, Proof } from '../../factors/factor.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { RegistrationCeremony } from '../../factors/passkey/ceremony.js';
import type { PasskeyProof } from '../../factors/passkey/verifier.js';
import type { PhoneKind } from '../../factors/phone/numbers.js';
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
}
export const progressKeys = [
  'passwordAt',
  'passkeySignIn',
  'secondFactor',
  'enrolledAt',
  'minimumChoice',
  'minimumSkippedAt',
  'recoveryCodeSavedAt',
] as const satisfies readonly (keyof SignInProgress)[];

/** The progress alone: what moves on to the next step (nothing of this step's own leaks). */
export function progressOf(data: SignInProgress): SignInProgress {
  const out: Partial<Record<keyof SignInProgress, unknown>> = {};
  for (const key of progressKeys) if (data[key] !== undefined) out[key] = data[key];
  return out as SignInProgress;
}

/** A number being confirmed at sign-in (enrol_phone → confirm_phone). */
export type PendingPhone = { e164: string; country: string; kind: PhoneKind };

/**
 * In second_factor: a code sent over `channel`, or another method (the channel a code went by
 * before, kept for a resend); what the factor's start left (a passkey's ceremony, answered once).
 */
export type SecondFactorData =
  | { method: 'code'; channel: CodeChannel; challenge?: Challenge }
  | { method: Exclude<SecondFactorMethod, 'code'>; channel?: CodeChannel; challenge?: Challenge };

type Empty = Record<never, never>;
/** What each step holds of its own, beside the progress. */
interface StepParts {
  verify_email: { channel: 'email' };
  second_factor: SecondFactorData;
  choose_mfa: Empty;
  enrol_phone: { channel?: CodeChannel };
  confirm_phone: { channel: CodeChannel; pendingPhone: PendingPhone };
  /** The new app key, sealed, until a code from the app confirms it. */
  enrol_totp: { pendingTotp: Sealed };
  /** The registration ceremony, answered once (S15): taken out before its answer is looked at. */
  enrol_passkey: { passkeyRegistration?: RegistrationCeremony };
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

/** Where the table lets a flow at `S` be saved: staying, or a state it lists. */
export type SignInMoveFrom<S extends SignInState> = S | (typeof transitions)[S][number];

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isNumber = (v: unknown) => typeof v === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const optional = (v: unknown, fits: (v: unknown) => boolean) => v === undefined || fits(v);
const otherMethods: readonly unknown[] = ['passkey', 'totp', 'recovery_code'];

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
  const { channel } = raw;
  switch (state as SignInState) {
    case 'verify_email':
      return channel === 'email';
    case 'second_factor':
      return raw.method === 'code'
        ? isText(channel)
        : otherMethods.includes(raw.method) && optional(channel, isText);
    case 'enrol_phone':
      return optional(channel, isText);
    case 'confirm_phone':
      return isText(channel) && isObject(raw.pendingPhone) && isText(raw.pendingPhone.e164);
    case 'enrol_totp':
      return isObject(raw.pendingTotp);
    case 'enrol_passkey':
      return optional(raw.passkeyRegistration, isObject);
    case 'save_recovery_code':
      return isObject(raw.newRecoveryCode);
    default:
      return true;
  }
}
