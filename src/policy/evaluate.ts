/**
 * The one question every flow asks of the policy: for this user, at this moment, what must they
 * do next, may they skip it, and which factors may they use to sign in and to vouch for a change
 * (step-up)? A pure function of the policy, what the user holds and the time, so every rule —
 * the minimum, the enforcement date and its grace behaviour, the recovery code — is tested here
 * once (`evaluate.test.ts`) and the sign-in machine, the removal check and the pages agree.
 */
import type { FactorKind, GraceMode, Policy } from './presets.js';

/** What an account holds, counted (an account may have several passkeys). */
export interface Holdings {
  emailVerified: boolean;
  factors: Partial<Record<FactorKind, number>>;
  /** A live recovery code exists and the user confirmed saving it. */
  recoveryCodeSaved: boolean;
  /** When the user last chose "Skip for Now" at the minimum (null: never). */
  minimumSkippedAt: number | null;
  /** Until when an administrator turned MFA off for the user (null or past: not exempt). */
  mfaExemptUntil?: number | null;
}

export type RequiredAction = 'verify_email' | 'meet_minimum' | 'save_recovery_code';

export interface ActionDue {
  action: RequiredAction;
  /** "Skip for Now" is offered. */
  skippable: boolean;
}

/** A second factor at sign-in or for a step-up, as the user picks it. */
export type VerifyMethod = 'passkey' | 'totp' | 'phone' | 'recovery_code' | 'email';

export interface Evaluation {
  /** Whether the user holds every factor of at least one alternative of the minimum. */
  compliant: boolean;
  /** For each alternative of the minimum, the factors still missing (all empty when compliant). */
  missing: FactorKind[][];
  /** When the minimum starts to bind (null: it has no date; `grace.after` applies at once). */
  deadline: number | null;
  /** The grace behaviour in force now. */
  grace: GraceMode;
  /** Everything owed, in order; the sign-in steps take them one by one. */
  actions: ActionDue[];
  next: ActionDue | null;
  /** Whether sign-in asks for a second factor now. */
  mfaRequired: boolean;
  /** Second factors the user may pass at sign-in, strongest first. */
  signIn: VerifyMethod[];
  /** What may vouch for a change (step-up), strongest first. */
  stepUp: VerifyMethod[];
  /**
   * Until when MFA is off for the user (an administrator's exemption, in force now): sign-in asks
   * for the password alone and nothing is owed but a verified email. Null: not exempt.
   */
  exemptUntil: number | null;
}

const held = (h: Holdings, f: FactorKind) => (h.factors[f] ?? 0) > 0;

/** The order factors are offered in: the strongest, and the one that sends nothing, first. */
const strength: VerifyMethod[] = ['passkey', 'totp', 'phone', 'recovery_code', 'email'];

export function missingFor(policy: Policy, h: Holdings): FactorKind[][] {
  return policy.minimum.map((alternative) => alternative.filter((f) => !held(h, f)));
}

export function graceAt(
  policy: Policy,
  now: number,
): { grace: GraceMode; deadline: number | null } {
  const { date, before, after } = policy.enforcement;
  const deadline = date === null ? null : Date.parse(date);
  return { grace: deadline !== null && now < deadline ? before : after, deadline };
}

export function evaluate(policy: Policy, h: Holdings, now: number): Evaluation {
  const missing = missingFor(policy, h);
  const compliant = missing.length === 0 || missing.some((m) => m.length === 0);
  const { grace, deadline } = graceAt(policy, now);
  const allowed = new Set(policy.factors);
  // Read at every evaluation, so the exemption ends by itself when its time passes.
  const exemptUntil =
    h.mfaExemptUntil !== undefined && h.mfaExemptUntil !== null && h.mfaExemptUntil > now
      ? h.mfaExemptUntil
      : null;

  const actions: ActionDue[] = [];
  if (!h.emailVerified) actions.push({ action: 'verify_email', skippable: false });
  const askMinimum =
    exemptUntil === null &&
    !compliant &&
    (grace === 'block' || grace === 'remind' || (grace === 'offer' && h.minimumSkippedAt === null));
  if (askMinimum) actions.push({ action: 'meet_minimum', skippable: grace !== 'block' });
  const recoveryOwed =
    policy.recoveryCode.required && allowed.has('recovery_code') && !h.recoveryCodeSaved;
  if (exemptUntil === null && recoveryOwed)
    actions.push({ action: 'save_recovery_code', skippable: false });

  const secondFactors = strength.filter((m) => {
    if (m === 'email') return false;
    return allowed.has(m) && held(h, m);
  });
  const signIn = [...secondFactors];
  if (policy.emailCodeFallback && h.emailVerified) signIn.push('email');
  const stepUp = secondFactors.filter((m) => m !== 'recovery_code');
  if (policy.emailStepUp && h.emailVerified) stepUp.push('email');
  const enrolled = secondFactors.some((m) => m !== 'recovery_code');

  return {
    compliant,
    missing: compliant ? policy.minimum.map(() => []) : missing,
    deadline,
    grace,
    actions,
    next: actions[0] ?? null,
    mfaRequired:
      exemptUntil === null &&
      (policy.mfaAtSignIn === 'always' || (policy.mfaAtSignIn === 'when_enrolled' && enrolled)),
    signIn,
    stepUp,
    exemptUntil,
  };
}

/**
 * Whether the user may remove one `factor`: never the one that keeps them compliant while the
 * minimum binds (`block`), and never their last second factor where every sign-in asks for one.
 */
export function mayRemoveFactor(
  policy: Policy,
  h: Holdings,
  factor: FactorKind,
  now: number,
): boolean {
  if (!held(h, factor)) return false;
  const after: Holdings = {
    ...h,
    factors: { ...h.factors, [factor]: (h.factors[factor] ?? 0) - 1 },
  };
  const before = evaluate(policy, h, now);
  const then = evaluate(policy, after, now);
  if (before.compliant && !then.compliant && then.grace === 'block') return false;
  const secondLeft = (['passkey', 'totp', 'phone'] as const).some((f) => held(after, f));
  return !(policy.mfaAtSignIn === 'always' && !secondLeft);
}
