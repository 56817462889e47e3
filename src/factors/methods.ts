/**
 * The ways a user proves themselves with what they already hold — sign-in's second step, a
 * step-up, confirming a recovery code — in one list, strongest first: a passkey (phishing-
 * resistant, nothing sent), the authenticator app, the recovery code, then a code by the phone's
 * channels (text, call) and by email. Each flow asks it with what it accepts; none writes its own.
 * Also each method's RFC 8176 `amr` value, the one mapping every session and token uses.
 */
import type { FactorKind } from '../policy/presets.js';
import type { AmrEntry } from '../sessions/sessions.js';
import type { AccountFactors } from './account-factors.js';
import type { PasskeyProof } from './passkey/verifier.js';
import { channelsFor } from './phone/numbers.js';

export type VerifyMethod = 'passkey' | 'totp' | 'recovery_code' | 'sms' | 'voice' | 'email';
export type CodeMethod = Extract<VerifyMethod, 'sms' | 'voice' | 'email'>;

/** What a flow accepts besides the factors the account's policy allows. */
export interface MethodRules {
  /** The policy's `factors`: only these may vouch. */
  allowed: readonly FactorKind[];
  /** The recovery code counts here (sign-in; not a step-up, nor the reset it starts). */
  recoveryCode: boolean;
  /** A code by email counts here (the policy's fallback or step-up setting, a verified inbox). */
  email: boolean;
}

/** The methods the account holds and the flow accepts, strongest first. */
export function heldMethods(factors: AccountFactors, rules: MethodRules): VerifyMethod[] {
  const allowed = new Set(rules.allowed);
  const out: VerifyMethod[] = [];
  if (factors.passkeys > 0 && allowed.has('passkey')) out.push('passkey');
  if (factors.totp && allowed.has('totp')) out.push('totp');
  if (rules.recoveryCode && factors.recoveryCode && allowed.has('recovery_code'))
    out.push('recovery_code');
  if (factors.phone && allowed.has('phone')) out.push(...channelsFor(factors.phone.kind));
  if (rules.email) out.push('email');
  return out;
}

export const isCodeMethod = (m: VerifyMethod): m is CodeMethod =>
  m === 'sms' || m === 'voice' || m === 'email';

const amrValues: Record<Exclude<VerifyMethod, 'passkey'>, string> = {
  totp: 'otp',
  recovery_code: 'recovery_code',
  sms: 'sms',
  voice: 'tel',
  email: 'email',
};

/** The session's `amr` entry for a method passed at `at` (RFC 8176 where it has a name). */
export function amrOfMethod(method: Exclude<VerifyMethod, 'passkey'>, at: number): AmrEntry {
  return { method: amrValues[method], at };
}

/** A passkey's `amr`: `hwk` or `swk`, and `user` when the user was verified. */
export function passkeyAmr(p: PasskeyProof): AmrEntry[] {
  return [{ method: p.key, at: p.at }, ...(p.userVerified ? [{ method: 'user', at: p.at }] : [])];
}
