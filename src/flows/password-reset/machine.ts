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
import type { FlowKind } from '../../store/flow-store.js';

export type ResetState =
  | 'email_code'
  | 'recovery_code'
  | 'second_factor'
  | 'new_password'
  | 'save_recovery_code'
  | 'completed';

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

export const firstState: Record<PasswordResetMethod, ResetState> = {
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

export interface ResetData {
  method: PasswordResetMethod;
  /** The address as the user typed it (shown back; the account's own may differ in case). */
  email: string;
  proofs: ResetProof[];
  /** The recovery code `check` accepted; spent when the password is set. */
  recoveryCodeId?: string;
  /** In second_factor: what the user is entering now. */
  secondFactor?: ResetSecondFactor;
  /** In second_factor: what the factor's start left (a passkey's ceremony, answered once). */
  challenge?: Challenge;
  /**
   * Digits of the emailed code: the deployment's at the start (the same for every address, S6),
   * kept so a resend and the page agree with the code that was sent.
   */
  codeLength?: number;
  /** The recovery code issued in place of the one spent, sealed to this flow until saved. */
  newRecoveryCode?: Sealed & { createdAt: number };
}
