/**
 * The sign-in state machine. States are the steps a user can be at after the first factor;
 * the transition table is data, and every move is checked against it.
 *
 *   password ok ─► verify_email ─► second_factor ─────────────────┐
 *                       │                 ▲                         ▼
 *                       └─► enrol_phone ◄─┼─► confirm_phone ─► save_recovery_code ─► completed
 *                              │ (skip, when offered)  └─► restart
 *                              └─► completed (or save_recovery_code)
 *
 * The second factor is a code sent by text, call or (where allowed) email, a code from the
 * authenticator app, or the recovery code; a used recovery code is replaced at once, and the
 * new one is shown in save_recovery_code (also entered when the policy requires a code, or when
 * the live code was never confirmed saved: a new one replaces it).
 * `restart` ends the flow without a session (seed 002: "You are returned to the login screen
 * to log in again").
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { PhoneKind } from '../../factors/phone/numbers.js';
import type { Policy } from '../../policy/presets.js';
import type { Account } from '../../store/schema.js';

export type SignInState =
  | 'verify_email'
  | 'second_factor'
  | 'enrol_phone'
  | 'confirm_phone'
  | 'save_recovery_code'
  | 'completed'
  | 'restart';

export const transitions = {
  verify_email: ['second_factor', 'enrol_phone', 'save_recovery_code', 'completed'],
  second_factor: ['save_recovery_code', 'completed'],
  enrol_phone: ['confirm_phone', 'save_recovery_code', 'completed'],
  confirm_phone: [
    'enrol_phone',
    'confirm_phone',
    'second_factor',
    'save_recovery_code',
    'completed',
    'restart',
  ],
  save_recovery_code: ['completed'],
  completed: [],
  restart: [],
} as const satisfies Record<SignInState, readonly SignInState[]>;

export function canMove(from: SignInState, to: SignInState): boolean {
  return (transitions[from] as readonly SignInState[]).includes(to);
}

/** RFC 8176 method of a code channel. */
export const amrOf: Record<CodeChannel, string> = { sms: 'sms', voice: 'tel', email: 'email' };

/** What the user enters in the second_factor step: a sent code, an app code, the recovery code. */
export type SecondFactorMethod = 'code' | 'totp' | 'recovery_code';
/** A second factor passed: the channel of a sent code, or the app, or the recovery code. */
export type PassedFactor = CodeChannel | 'totp' | 'recovery_code';

/** Session `amr` of a passed factor (RFC 8176 where it has a name: `otp` for the app). */
export function amrOfFactor(f: PassedFactor): string {
  if (f === 'totp') return 'otp';
  if (f === 'recovery_code') return 'recovery_code';
  return amrOf[f];
}

export interface SignInData {
  /** When the password was verified (the `pwd` entry of the session's amr). */
  passwordAt: number;
  /** Channel of the code pending in this step. */
  channel?: CodeChannel;
  /** In second_factor: what the user is entering (absent: a code sent over `channel`). */
  method?: SecondFactorMethod;
  /** The second factor passed in this flow. */
  secondFactor?: { factor: PassedFactor; at: number };
  /** A number being confirmed at sign-in (enrol_phone → confirm_phone). */
  pendingPhone?: { e164: string; country: string; kind: PhoneKind };
  /** Set when the phone was registered in this flow: a new factor never vouches for itself. */
  phoneEnrolledAt?: number;
  /** The recovery code issued in this flow, sealed (never in the clear at rest), until saved. */
  newRecoveryCode?: Sealed & { createdAt: number };
  /** When the user confirmed saving the recovery code shown in this flow. */
  recoveryCodeSavedAt?: number;
}

/** The first step still owed after the first factor, given what the flow has done so far. */
export function nextStep(
  account: Pick<Account, 'email_verified_at' | 'phone_offer_dismissed_at'>,
  factors: AccountFactors,
  policy: Policy,
  data: SignInData,
): SignInState {
  if (account.email_verified_at === null) return 'verify_email';
  const { phone } = factors;
  const hasSecondFactor = phone !== undefined || factors.totp !== undefined;
  if (
    hasSecondFactor &&
    policy.mfaAtSignIn !== 'never' &&
    !data.secondFactor &&
    !data.phoneEnrolledAt
  ) {
    return 'second_factor';
  }
  if (!phone) {
    if (policy.phoneAtSignIn === 'require') return 'enrol_phone';
    if (policy.phoneAtSignIn === 'offer' && account.phone_offer_dismissed_at === null)
      return 'enrol_phone';
  }
  if (data.recoveryCodeSavedAt === undefined) {
    // Its replacement after a use; a code nobody confirmed saving (a sign-in that ended before
    // "I have saved it"); the one the policy requires.
    if (data.secondFactor?.factor === 'recovery_code') return 'save_recovery_code';
    if (factors.recoveryCode && !factors.recoveryCode.saved) return 'save_recovery_code';
    if (policy.recoveryCode.required && !factors.recoveryCode) return 'save_recovery_code';
  }
  return 'completed';
}

/** The channels a second-factor code may go by, default first. */
export function secondFactorChannels(factors: AccountFactors, policy: Policy): CodeChannel[] {
  const { phone } = factors;
  const channels: CodeChannel[] = !phone
    ? []
    : phone.kind === 'mobile'
      ? ['sms', 'voice']
      : ['voice'];
  if (policy.emailCodeFallback) channels.push('email');
  return channels;
}

/** The other ways through the second_factor step: the authenticator app, the recovery code. */
export function secondFactorAlternatives(
  factors: AccountFactors,
): Exclude<SecondFactorMethod, 'code'>[] {
  const out: Exclude<SecondFactorMethod, 'code'>[] = [];
  if (factors.totp) out.push('totp');
  if (factors.recoveryCode) out.push('recovery_code');
  return out;
}
