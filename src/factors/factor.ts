/**
 * One shape for every factor a user proves themselves with (DESIGN "Factors"): a descriptor that
 * says what it is (its id, the policy's factor it belongs to, whether its answer is a code or a
 * passkey assertion, whether a code is sent, its strength), and three operations a flow calls
 * without naming the factor: may a challenge start now, start it, verify an answer (a `Proof`
 * with its RFC 8176 `amr`, or the user's registered error). Flows look factors up in the registry.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RequestOrigin } from '../audit/audit.js';
import { AppError } from '../errors/app-error.js';
import type { FactorKind } from '../policy/presets.js';
import type { AmrEntry } from '../sessions/sessions.js';
import type { Account } from '../store/schema.js';
import type { AccountFactors } from './account-factors.js';
import type { CodeChannel } from './otp-code/challenge.js';
import type { CodeBinding } from './otp-code/codes.js';
import type { PaceScope } from './otp-code/pacing.js';
import type { AuthenticationCeremony } from './passkey/ceremony.js';

/** The ways to prove oneself with a factor already held, strongest first in the registry. */
export type MethodId = 'passkey' | 'totp' | 'recovery_code' | 'sms' | 'voice' | 'email';

/** What the user answers with: a typed code, or a passkey's assertion. */
export type Answer = { code: string } | { assertion: AuthenticationResponseJSON };

/**
 * What a started challenge leaves for the flow to hold: a passkey ceremony (taken out of the flow
 * by a versioned write before its answer is verified: answered once, S15), or nothing (a sent
 * code lives in its own table and is single-use there; the app needs nothing).
 */
export interface Challenge {
  ceremony?: AuthenticationCeremony;
}

/** A verified answer: which method, when, and the session's `amr` entries for it. */
export interface Proof {
  method: MethodId;
  at: number;
  amr: AmrEntry[];
  /** A passkey's authenticator verified the user (PIN, biometric). */
  userVerified?: boolean;
}

/** Whose proof, which flow step a sent code is bound to, and where the request came from. */
export interface ChallengeContext {
  account: Account;
  factors: AccountFactors;
  binding: CodeBinding;
  origin: RequestOrigin;
  /** Whose cooldown a sent code counts in: the binding's flow unless said (S10). */
  pace?: PaceScope;
}

export interface StartInput extends ChallengeContext {
  /** The channels a code may go by in this step (a sent code's message names the others). */
  channels: readonly CodeChannel[];
  /** Digits of a sent code, when the flow fixes them; otherwise the account's policy's. */
  length?: number;
  /** The purpose a sent code's audit event records (default: the binding's). */
  auditPurpose?: string;
}

export interface VerifyInput extends ChallengeContext {
  answer: Answer;
  /** What `start` left in the flow. */
  challenge: Challenge;
  /** The purpose a failure's audit event records. */
  purpose: string;
  /** Called once when the answer is refused (sign-in's outcome metrics). */
  onFailure?: () => void;
}

export interface MethodDescriptor {
  id: MethodId;
  /** The policy's factor this method belongs to (null: the account's email, not a factor). */
  factor: FactorKind | null;
  /** What the user answers with. */
  answer: 'code' | 'assertion';
  /** A code is sent (and may be resent, with a cooldown). */
  sent: boolean;
  /** Bound to the origin, so a phishing site cannot relay it (a passkey). */
  phishingResistant: boolean;
  /** Passing it as the second factor reaches AAL2 (an email code never does, S9). */
  raisesAal: boolean;
  /** Used only when the user chooses it, never offered first (the recovery code: a last resort). */
  fallback: boolean;
  /** Passing it uses it up (the recovery code), so what the account holds is read again after. */
  spentByUse: boolean;
  /** Whether the account holds it. */
  held(factors: AccountFactors): boolean;
}

export interface Factor {
  readonly method: MethodDescriptor;
  /** Throws RESEND_TOO_SOON while a sent code's cooldown lasts: checked before a flow changes. */
  assertMayStart(input: ChallengeContext): Promise<void>;
  /** Sends the code, or makes the ceremony; returns what the flow keeps. */
  start(input: StartInput): Promise<Challenge>;
  /** The proof, or throws the user's error (wrong, expired, replayed, too many tries). */
  verify(input: VerifyInput): Promise<Proof>;
  /** Where a sent code went, masked (null for what sends nothing). */
  destination(account: Account, factors: AccountFactors): string | null;
}

/** The typed code of an answer; a passkey assertion where a code is expected is out of step. */
export function codeOf(answer: Answer): string {
  if (!('code' in answer)) throw new AppError('FLOW_STATE_CONFLICT');
  return answer.code;
}

/** The assertion of an answer; a code where a passkey is expected is out of step. */
export function assertionOf(answer: Answer): AuthenticationResponseJSON {
  if (!('assertion' in answer)) throw new AppError('FLOW_STATE_CONFLICT');
  return answer.assertion;
}

/** One `amr` entry at `at`. */
export const amrAt = (method: string, at: number): AmrEntry[] => [{ method, at }];

/** Whether an answer is of the kind the method takes (a code, or a passkey's assertion). */
export const answerFits = (method: MethodDescriptor, answer: Answer): boolean =>
  method.answer === ('code' in answer ? 'code' : 'assertion');
