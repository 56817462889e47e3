/**
 * The sign-in state machine. States are the steps a user can be at after the first factor;
 * the transition table is data, and every move is checked against it. What is owed comes from
 * the policy's one evaluation (`policy/evaluate.ts`), in its order:
 *
 *   password ok ─► verify_email ─► second_factor ─► meet the minimum ─► save_recovery_code ─► completed
 *   passkey (UV) ──────┘            (skipped: multi-factor alone)
 *
 *   meet the minimum: choose_mfa ─► enrol_phone ─► confirm_phone ─┐
 *                         │     └─► enrol_totp ───────────────────┼─► (next missing factor, or on)
 *                         │     └─► enrol_passkey ────────────────┘
 *                         └─► "Skip for Now" (before the enforcement date; seed 000 until skipped once)
 *   confirm_phone ─► restart (seed 002: "You are returned to the login screen to log in again")
 *   a number an administrator entered (seed 002: "update your phone number"), at the next sign-in:
 *   confirm_pending_phone ─► (on, as after a second factor)
 *                                 └─► "use another way": second_factor (or the minimum), as before
 *
 * The first factor is the password, or a passkey with user verification (password-less: the
 * passkey is something you have and the verification something you are or know, so it meets
 * AAL2 alone; an assertion without user verification never signs in password-less).
 * The second factor is a passkey, a code sent by text, call or (where allowed) email, a code from
 * the authenticator app, or the recovery code; a used recovery code is replaced at once, and the
 * new one is shown in save_recovery_code (also entered when the policy requires a code, or when
 * the live code was never confirmed saved: a new one replaces it).
 * The minimum (seed 001: a passkey, or the app and a phone, or the password and a phone) is met
 * inside sign-in: with one way to meet it the user goes straight to its first missing factor
 * (seeds 000 and 002: the phone), with several they choose (choose_mfa). A user who already holds
 * a second factor passes it first: only a verified user may add a factor, and a factor added in
 * this flow never vouches for itself (the session stays at the level of what was passed).
 * While an administrator's MFA exemption is in force (`accounts.mfa_exempt_until`, read at every
 * check through the clock), the password alone signs in: no second factor, no minimum, no recovery
 * code to save (`Evaluation.exemptUntil`); the session is AAL1 and its audit event says why.
 * A pending number (`pending_phones`) is offered first at the next sign-in (before the second
 * factor, or where the policy asks none, before the session is made): a code
 * to the number an AAL2, stepped-up administrator entered confirms it, replaces the saved one and
 * counts as the second factor (`sms`/`tel`, AAL2). The old number keeps working until then: the
 * user may take another way instead; the number then stays pending and is offered again at the next
 * sign-in (never twice in one), until confirmed or the administrator drops it. Under an MFA
 * exemption it waits, like the second factor.
 */
import type { AccountFactors } from '../../factors/account-factors.js';
import type { MethodId } from '../../factors/factor.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import { passableFactor } from '../../factors/registry.js';
import {
  beginsAt,
  enrolmentOf,
  enrolments,
  enrolStates,
  firstToAdd,
  type EnrolState,
} from '../../factors/enrolments.js';
import { passkeyAmr } from '../../factors/passkey/factor.js';
import {
  evaluate,
  missingFor,
  type Evaluation,
  type Holdings,
  type VerifyMethod,
} from '../../policy/evaluate.js';
import { holdingsOf } from '../../policy/holdings.js';
import type { Policy } from '../../policy/presets.js';
import { aalOf } from '../../sessions/assurance.js';
import type { Aal, AmrEntry } from '../../sessions/sessions.js';
import type { Account } from '../../store/schema.js';
import type { FlowKind } from '../../store/flow-store.js';
import { enrolmentMoves } from './enrolment-moves.js';
import type { SecondFactorData, SignInProgress } from './state-data.js';

export type SignInState =
  | 'verify_email'
  | 'second_factor'
  | 'confirm_pending_phone'
  | 'choose_mfa'
  | EnrolState
  | 'save_recovery_code'
  | 'completed'
  | 'restart';

/**
 * The steps of meeting the minimum: choosing a way, then adding each missing factor, by the
 * steps each factor declares (`factors/enrolments.ts`: enrol_phone → confirm_phone, enrol_totp,
 * enrol_passkey).
 */
export type MinimumStep = 'choose_mfa' | EnrolState;
export const minimumSteps: readonly MinimumStep[] = ['choose_mfa', ...enrolStates];

/** The first step of adding each factor sign-in can add. */
const enrolSteps = enrolments.map(beginsAt);
const on = ['save_recovery_code', 'completed'] as const;

/**
 * The moves sign-in makes (staying is a claim, until final): what `nextStep` owes next, never back;
 * a factor's later steps only from its earlier ones (confirm_phone only from a number entered);
 * choose_mfa only before a way is chosen (a factor added leaves every way as open as it was).
 * Walked pair by pair in test/flows/flow-tables.test.ts.
 */
export const transitions = {
  verify_email: ['second_factor', 'confirm_pending_phone', 'choose_mfa', ...enrolSteps, ...on],
  // Confirmed: on, as after a second factor; or another way (the number stays pending).
  confirm_pending_phone: ['second_factor', 'choose_mfa', ...enrolSteps, ...on],
  second_factor: ['choose_mfa', ...enrolSteps, ...on],
  choose_mfa: [...enrolSteps, ...on],
  // Adding a factor: by the rule of enrolment-moves.ts over each factor's steps.
  ...(enrolmentMoves(enrolments, on) as Record<EnrolState, readonly SignInState[]>),
  save_recovery_code: ['completed'],
  completed: [],
  restart: [],
} as const satisfies Record<SignInState, readonly SignInState[]>;

/** The sign-in flow's kind and table: the flow store refuses every move the table does not list. */
export const signInFlow: FlowKind<SignInState> = { kind: 'sign_in', transitions };

/** In second_factor, what the user does: uses a passkey, or enters a sent, app or recovery code. */
export type SecondFactorMethod = 'code' | Exclude<MethodId, CodeChannel>;

/** The method the second_factor step is at: the chosen one, or a code over its channel. */
export const methodInUse = (data: SecondFactorData): MethodId =>
  data.method === 'code' ? data.channel : data.method;

/**
 * The session a finished sign-in gets: the methods used (`pwd`, or a password-less passkey's
 * `hwk`/`swk` + `user`, then the second factor's) and the level they reach (`aalOf`: a passkey
 * with user verification alone, or the password and any second factor but an email code, S9;
 * a passkey as the second factor counts whether or not it verified the user).
 */
export function sessionAssurance(data: SignInProgress): { amr: AmrEntry[]; aal: Aal } {
  const amr: AmrEntry[] = [];
  if (data.passwordAt !== undefined) amr.push({ method: 'pwd', at: data.passwordAt });
  if (data.passkeySignIn) amr.push(...passkeyAmr(data.passkeySignIn));
  if (data.secondFactor) amr.push(...data.secondFactor.amr);
  return { amr, aal: aalOf(amr) };
}

/**
 * What sign-in reads of the account: the email's state, the minimum's "Skip for Now", the password,
 * and an administrator's MFA exemption (read at every check: it ends by itself).
 */
export type SignInAccount = Pick<
  Account,
  'email_verified_at' | 'phone_offer_dismissed_at' | 'password_hash' | 'mfa_exempt_until'
>;

/** What the policy asks of this account now (`policy/evaluate.ts`). */
export function evaluateAccount(
  account: SignInAccount,
  factors: AccountFactors,
  policy: Policy,
  now: number,
): Evaluation {
  return evaluate(policy, holdingsOf(account, factors), now);
}

/** Second factors that can be passed (the registry's: not the recovery code, nor email). */
const verifying = (m: VerifyMethod) => passableFactor(m);

/**
 * The ways to meet the minimum, as the user sees them: each alternative of the policy's
 * `minimum` with what it still lacks and whether it can be taken: sign-in can add all of that
 * (factors sign-in can add and the policy allows: a password cannot be added here). A complete
 * way can be taken too: choosing it goes on (a user half-way through another way who has met
 * this one meanwhile).
 */
export function minimumWays(policy: Policy, holdings: Holdings) {
  return missingFor(policy, holdings).map((missing, index) => ({
    index,
    factors: policy.minimum[index]!,
    missing,
    available: missing.every((f) => enrolmentOf(f) !== undefined && policy.factors.includes(f)),
  }));
}

/** The step that adds the next factor a way still lacks, in the registry's order (none once complete). */
function stepFor(way: ReturnType<typeof minimumWays>[number] | undefined): MinimumStep | undefined {
  if (!way?.available) return undefined;
  const next = firstToAdd(way.missing);
  return next ? beginsAt(next) : undefined;
}

/** The step of meeting the minimum owed now, if any. */
function minimumStep(
  policy: Policy,
  holdings: Holdings,
  ev: Evaluation,
  data: SignInProgress,
): MinimumStep | undefined {
  const ways = minimumWays(policy, holdings);
  // The way the user chose is finished, even once another way would already do.
  if (data.minimumChoice !== undefined) {
    const step = stepFor(ways[data.minimumChoice]);
    if (step) return step;
  }
  const due = ev.actions.find((a) => a.action === 'meet_minimum');
  if (!due || (due.skippable && data.minimumSkippedAt !== undefined)) return undefined;
  const open = ways.filter((w) => w.available);
  // One way to meet it (seeds 000 and 002: a phone): straight to it; several: the user chooses.
  return open.length === 1 ? stepFor(open[0]) : 'choose_mfa';
}

/**
 * The first step still owed after the first factor, given what the flow has done so far;
 * `pendingPhone`: an administrator entered a number the user has not confirmed yet.
 */
export function nextStep(
  account: SignInAccount,
  factors: AccountFactors,
  policy: Policy,
  data: SignInProgress,
  now: number,
  pendingPhone = false,
): SignInState {
  if (account.email_verified_at === null) return 'verify_email';
  const holdings = holdingsOf(account, factors);
  const ev = evaluate(policy, holdings, now);
  const passed =
    data.secondFactor !== undefined ||
    data.passkeySignIn !== undefined ||
    data.enrolledAt !== undefined;
  const canPass = ev.signIn.some(verifying);
  const offerPending =
    pendingPhone && policy.factors.includes('phone') && data.pendingPhoneDeclinedAt === undefined;
  // At the next sign-in, whether or not the policy asks for a second factor there (email-first
  // asks none: the number would otherwise wait for ever); under an exemption it waits.
  if (!passed && offerPending && ev.exemptUntil === null) return 'confirm_pending_phone';
  if (!passed && canPass && ev.mfaRequired) return 'second_factor';
  const minimum = minimumStep(policy, holdings, ev, data);
  // Only a user who passed a factor they hold may add another (a new one never vouches for itself).
  if (minimum) return !passed && canPass ? 'second_factor' : minimum;
  if (data.recoveryCodeSavedAt === undefined) {
    // Its replacement after a use; a code nobody confirmed saving (a sign-in that ended before
    // "I have saved it"); the one the policy requires.
    if (data.secondFactor?.method === 'recovery_code') return 'save_recovery_code';
    // Under an exemption the password alone signs in: nothing more is asked (the code stays unsaved).
    if (ev.exemptUntil !== null) return 'completed';
    if (factors.recoveryCode && !factors.recoveryCode.saved) return 'save_recovery_code';
    if (ev.actions.some((a) => a.action === 'save_recovery_code')) return 'save_recovery_code';
  }
  return 'completed';
}
