/**
 * The forgotten-password state machine. Which way the user proves who they are is the policy's
 * (`passwordReset`); the transition table is data, and every move is checked against it.
 *
 *   email ─────────► email_code ──────────────────────┐
 *                                                      ▼
 *   recovery_code ─► recovery_code ─► second_factor ─► new_password ─► save_recovery_code ─► completed
 *                                                           └──────────────────────────────► completed
 *
 * - email_code: a code went to the account's email (or, for an address with no account,
 *   nowhere — the answers are the same, S6).
 * - recovery_code: the saved recovery code, checked but not yet spent.
 * - second_factor: a passkey (offered first when the account has one: an authentication ceremony
 *   bound to the flow, answered once), a code from the authenticator app, or one sent to the phone.
 * - new_password: the new password; the recovery code is spent here, a new one issued, and the
 *   user's sessions end when they ask.
 * - save_recovery_code: the new recovery code, shown until the user says it is saved.
 * A completed reset never signs the user in (S22): they sign in, with every factor the policy
 * asks for.
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { Challenge } from '../../factors/factor.js';
import { usableMethods } from '../../factors/registry.js';
import type { PhoneChannel } from '../../factors/phone/numbers.js';
import type { FactorKind, PasswordResetMethod } from '../../policy/presets.js';
import type { FlowKind, StoredFlow } from '../../store/flow-store.js';

export const transitions = {
  email_code: ['new_password'],
  recovery_code: ['second_factor'],
  second_factor: ['new_password'],
  new_password: ['save_recovery_code', 'completed'],
  save_recovery_code: ['completed'],
  completed: [],
} as const satisfies Record<ResetState, readonly ResetState[]>;

/** The reset flow's kind and table: the flow store refuses every move the table does not list. */
export const resetFlow: FlowKind<ResetState> = { kind: 'password_reset', transitions };

export const firstState: Record<PasswordResetMethod, 'email_code' | 'recovery_code'> = {
  email: 'email_code',
  recovery_code: 'recovery_code',
};

/** What proved the user's identity in this reset (audited; never a session's amr). */
export type ResetProof = 'email' | 'recovery_code' | 'passkey' | 'totp' | PhoneChannel;

/** In second_factor: a passkey, the app, or a code sent to the phone. */
export type ResetSecondFactor = 'passkey' | 'totp' | PhoneChannel;

/**
 * What can confirm a recovery code, among the factors the account's policy lets it use: a
 * passkey first (phishing-resistant, nothing sent), then the app, then the phone's channels.
 * Only usable (unflagged) passkeys count.
 */
export function resetSecondFactors(
  factors: AccountFactors,
  allowed: readonly FactorKind[],
): ResetSecondFactor[] {
  return usableMethods(factors, {
    allowed,
    recoveryCode: false,
    email: false,
  }) as ResetSecondFactor[];
}

/** What every state holds: how the reset began, the address as typed, the emailed code's digits. */
interface ResetCommon {
  method: PasswordResetMethod;
  /** The address as the user typed it (shown back; the account's own may differ in case). */
  email: string;
  /**
   * Digits of the emailed code: the deployment's at the start (the same for every address, S6),
   * kept so a resend and the page agree with the code that was sent.
   */
  codeLength: number;
}

/** Proofs once one was given: never empty past the first step. */
export type ResetProofs = [ResetProof, ...ResetProof[]];

/** The recovery code issued in place of the one spent, sealed to this flow until saved. */
export type SealedRecoveryCode = Sealed & { createdAt: number };

/**
 * Each state with exactly the data it holds; a save names both (core.ts `save`), so the compiler
 * refuses data that does not fit its state.
 */
export type ResetStep =
  | { state: 'email_code'; data: ResetCommon & { proofs: [] } }
  | { state: 'recovery_code'; data: ResetCommon & { proofs: [] } }
  | {
      state: 'second_factor';
      data: ResetCommon & {
        proofs: ['recovery_code'];
        /** The recovery code `check` accepted; spent when the password is set. */
        recoveryCodeId: string;
        /** What the user is entering now. */
        secondFactor: ResetSecondFactor;
        /** What the factor's start left (a passkey's ceremony, answered once). */
        challenge?: Challenge;
      };
    }
  | { state: 'new_password'; data: ResetCommon & { proofs: ResetProofs; recoveryCodeId?: string } }
  | {
      state: 'save_recovery_code';
      data: ResetCommon & { proofs: ResetProofs; newRecoveryCode: SealedRecoveryCode };
    }
  | { state: 'completed'; data: ResetCommon & { proofs: ResetProof[] } };

export type ResetState = ResetStep['state'];
export type ResetData = ResetStep['data'];
/** The step at `S` (or at any of `S`). */
export type ResetStepAt<S extends ResetState> = Extract<ResetStep, { state: S }>;

/** A stored reset: narrowing on `state` narrows `data`. */
export type ResetFlowAt<S extends ResetState> = S extends ResetState
  ? StoredFlow<S, ResetStepAt<S>['data']>
  : never;
export type ResetFlow = ResetFlowAt<ResetState>;

/** Where the table lets a flow at `S` be saved: staying, or a state it lists. */
export type ResetMoveFrom<S extends ResetState> = ResetStepAt<S | (typeof transitions)[S][number]>;

/** The common part of a reset's data, to build the next state's from. */
export const commonOf = ({ method, email, codeLength }: ResetData): ResetCommon => ({
  method,
  email,
  codeLength,
});

const isText = (v: unknown) => typeof v === 'string' && v !== '';

/**
 * Whether loaded data holds what its state says (it is JSON, read back): anything else, an
 * older shape, say, is refused as FLOW_STATE_CONFLICT before a step reads it.
 */
export function fitsState(state: string, raw: unknown): boolean {
  if (!(state in transitions) || typeof raw !== 'object' || raw === null) return false;
  const data = raw as Partial<Record<string, unknown>>;
  const proofs = data.proofs;
  if (!isText(data.method) || !isText(data.email) || typeof data.codeLength !== 'number')
    return false;
  if (!Array.isArray(proofs)) return false;
  switch (state as ResetState) {
    case 'email_code':
    case 'recovery_code':
      return proofs.length === 0;
    case 'second_factor':
      return (
        proofs.length === 1 &&
        proofs[0] === 'recovery_code' &&
        isText(data.recoveryCodeId) &&
        isText(data.secondFactor)
      );
    case 'new_password':
      return proofs.length > 0;
    case 'save_recovery_code':
      return (
        proofs.length > 0 &&
        typeof data.newRecoveryCode === 'object' &&
        data.newRecoveryCode !== null
      );
    case 'completed':
      return true;
  }
}
