/**
 * The sign-in state machine. States are the steps a user can be at after the first factor;
 * the transition table is data, and every move is checked against it.
 *
 *   password ok ─► verify_email ─► second_factor ─────────────────┐
 *   passkey (UV) ──────┘ (skips second_factor: multi-factor alone) │
 *                       │                 ▲                         ▼
 *                       └─► enrol_phone ◄─┼─► confirm_phone ─► save_recovery_code ─► completed
 *                              │ (skip, when offered)  └─► restart
 *                              └─► completed (or save_recovery_code)
 *
 * The first factor is the password, or a passkey with user verification (password-less: the
 * passkey is something you have and the verification something you are or know, so it meets
 * AAL2 alone; an assertion without user verification never signs in password-less).
 * The second factor is a passkey, a code sent by text, call or (where allowed) email, a code from
 * the authenticator app, or the recovery code; a used recovery code is replaced at once, and the
 * new one is shown in save_recovery_code (also entered when the policy requires a code, or when
 * the live code was never confirmed saved: a new one replaces it).
 * `restart` ends the flow without a session (seed 002: "You are returned to the login screen
 * to log in again").
 */
import type { Sealed } from '../../crypto/secret-box.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { AuthenticationCeremony } from '../../factors/passkey/ceremony.js';
import type { PasskeyProof } from '../../factors/passkey/verifier.js';
import type { PhoneKind } from '../../factors/phone/numbers.js';
import type { Policy } from '../../policy/presets.js';
import type { Aal, AmrEntry } from '../../sessions/sessions.js';
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

/**
 * What the user does in the second_factor step: uses a passkey, or enters a sent code, an app
 * code or the recovery code.
 */
export type SecondFactorMethod = 'passkey' | 'code' | 'totp' | 'recovery_code';
/** A second factor passed: the channel of a sent code, or the app, or the recovery code. */
export type PassedFactor = CodeChannel | 'totp' | 'recovery_code';

/** Session `amr` of a passed factor (RFC 8176 where it has a name: `otp` for the app). */
export function amrOfFactor(f: PassedFactor): string {
  if (f === 'totp') return 'otp';
  if (f === 'recovery_code') return 'recovery_code';
  return amrOf[f];
}

/** Session `amr` of a passkey: `hwk` or `swk`, and `user` when the user was verified. */
export function passkeyAmr(p: PasskeyProof): AmrEntry[] {
  return [{ method: p.key, at: p.at }, ...(p.userVerified ? [{ method: 'user', at: p.at }] : [])];
}

/**
 * The session a finished sign-in gets: the methods used (`pwd`, or a password-less passkey's
 * `hwk`/`swk` + `user`, then the second factor's) and the level. AAL2 takes two factors: a
 * passkey with user verification alone, or the password and any second factor but an email
 * code (S9). A passkey as the second factor counts whether or not it verified the user.
 */
export function sessionAssurance(data: SignInData): { amr: AmrEntry[]; aal: Aal } {
  const amr: AmrEntry[] = [];
  if (data.passwordAt !== undefined) amr.push({ method: 'pwd', at: data.passwordAt });
  if (data.passkeySignIn) amr.push(...passkeyAmr(data.passkeySignIn));
  const second = data.secondFactor;
  if (second?.passkey) amr.push(...passkeyAmr(second.passkey));
  else if (second && second.factor !== 'passkey')
    amr.push({ method: amrOfFactor(second.factor), at: second.at });
  const passwordless = data.passkeySignIn?.userVerified === true;
  const twoFactors =
    data.passwordAt !== undefined && second !== undefined && second.factor !== 'email';
  return { amr, aal: passwordless || twoFactors ? 'aal2' : 'aal1' };
}

export interface SignInData {
  /** When the password was verified (the `pwd` entry of the session's amr); absent after a passkey. */
  passwordAt?: number;
  /** A password-less sign-in: the passkey, with user verification (multi-factor by itself). */
  passkeySignIn?: PasskeyProof;
  /** Channel of the code pending in this step. */
  channel?: CodeChannel;
  /** In second_factor: what the user is entering (absent: a code sent over `channel`). */
  method?: SecondFactorMethod;
  /** The second factor passed in this flow (`passkey` set when it was a passkey). */
  secondFactor?: { factor: PassedFactor | 'passkey'; at: number; passkey?: PasskeyProof };
  /** In second_factor with a passkey: the ceremony's options, answered once (S15). */
  passkeyRequest?: AuthenticationCeremony;
  /** A number being confirmed at sign-in (enrol_phone → confirm_phone). */
  pendingPhone?: { e164: string; country: string; kind: PhoneKind };
  /** Set when the phone was registered in this flow: a new factor never vouches for itself. */
  phoneEnrolledAt?: number;
  /** The recovery code issued in this flow, sealed (never in the clear at rest), until saved. */
  newRecoveryCode?: Sealed & { createdAt: number };
  /** When the user confirmed saving the recovery code shown in this flow. */
  recoveryCodeSavedAt?: number;
}

/** The flow's data without its passkey ceremony (answered, or left for another method). */
export function withoutPasskeyRequest(data: SignInData): SignInData {
  const next = { ...data };
  delete next.passkeyRequest;
  return next;
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
  const hasSecondFactor = phone !== undefined || factors.totp !== undefined || factors.passkeys > 0;
  if (
    hasSecondFactor &&
    policy.mfaAtSignIn !== 'never' &&
    !data.secondFactor &&
    !data.passkeySignIn &&
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

/**
 * The other ways through the second_factor step, strongest first: a passkey, the authenticator
 * app, the recovery code.
 */
export function secondFactorAlternatives(
  factors: AccountFactors,
): Exclude<SecondFactorMethod, 'code'>[] {
  const out: Exclude<SecondFactorMethod, 'code'>[] = [];
  if (factors.passkeys > 0) out.push('passkey');
  if (factors.totp) out.push('totp');
  if (factors.recoveryCode) out.push('recovery_code');
  return out;
}
