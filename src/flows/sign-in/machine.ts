/**
 * The sign-in state machine. States are the steps a user can be at after the first factor;
 * the transition table is data, and every move is checked against it.
 *
 *   password ok ─► verify_email ─► second_factor ─► completed
 *                       │                 ▲
 *                       └─► enrol_phone ◄─┼─► confirm_phone ─► completed | restart
 *                              │ (skip, when offered)
 *                              └─► completed
 *
 * `restart` ends the flow without a session (seed 002: "You are returned to the login screen
 * to log in again").
 */
import type { Policy } from '../../policy/presets.js';
import type { Account, Phone } from '../../store/schema.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import type { PhoneKind } from '../../factors/phone/numbers.js';

export type SignInState =
  'verify_email' | 'second_factor' | 'enrol_phone' | 'confirm_phone' | 'completed' | 'restart';

export const transitions = {
  verify_email: ['second_factor', 'enrol_phone', 'completed'],
  second_factor: ['completed'],
  enrol_phone: ['confirm_phone', 'completed'],
  confirm_phone: ['enrol_phone', 'confirm_phone', 'second_factor', 'completed', 'restart'],
  completed: [],
  restart: [],
} as const satisfies Record<SignInState, readonly SignInState[]>;

export function canMove(from: SignInState, to: SignInState): boolean {
  return (transitions[from] as readonly SignInState[]).includes(to);
}

/** RFC 8176 method of a code channel. */
export const amrOf: Record<CodeChannel, string> = { sms: 'sms', voice: 'tel', email: 'email' };

export interface SignInData {
  /** When the password was verified (the `pwd` entry of the session's amr). */
  passwordAt: number;
  /** Channel of the code pending in this step. */
  channel?: CodeChannel;
  /** The second factor passed in this flow. */
  secondFactor?: { channel: CodeChannel; at: number };
  /** A number being confirmed at sign-in (enrol_phone → confirm_phone). */
  pendingPhone?: { e164: string; country: string; kind: PhoneKind };
  /** Set when the phone was registered in this flow: a new factor never vouches for itself. */
  phoneEnrolledAt?: number;
}

/** The first step still owed after the first factor, given what the flow has done so far. */
export function nextStep(
  account: Pick<Account, 'email_verified_at' | 'phone_offer_dismissed_at'>,
  phone: Pick<Phone, 'kind'> | undefined,
  policy: Policy,
  data: SignInData,
): SignInState {
  if (account.email_verified_at === null) return 'verify_email';
  if (phone && policy.mfaAtSignIn !== 'never' && !data.secondFactor && !data.phoneEnrolledAt) {
    return 'second_factor';
  }
  if (!phone) {
    if (policy.phoneAtSignIn === 'require') return 'enrol_phone';
    if (policy.phoneAtSignIn === 'offer' && account.phone_offer_dismissed_at === null)
      return 'enrol_phone';
  }
  return 'completed';
}

/** The channels a second-factor code may go by, default first. */
export function secondFactorChannels(phone: Pick<Phone, 'kind'>, policy: Policy): CodeChannel[] {
  const channels: CodeChannel[] = phone.kind === 'mobile' ? ['sms', 'voice'] : ['voice'];
  if (policy.emailCodeFallback) channels.push('email');
  return channels;
}
