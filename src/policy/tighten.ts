/**
 * An organisation may tighten the deployment's policy for its members, never loosen it: for
 * every field the stricter of the two values wins, so whatever an organisation writes, its
 * members get at least the deployment's protection. Each field's order is stated here, once.
 */
import type { FactorKind, GraceMode, Policy, PasswordResetMethod } from './presets.js';

/** What an organisation may set: any field of the policy but its name and preset. */
export type PolicyOverride = Partial<Omit<Policy, 'name' | 'preset'>>;

/** Later in a list = stricter. */
const mfaOrder: Policy['mfaAtSignIn'][] = ['never', 'when_enrolled', 'always'];
const graceOrder: GraceMode[] = ['none', 'offer', 'remind', 'block'];

function stricterOf<T>(order: T[], a: T, b: T): T {
  return order.indexOf(b) > order.indexOf(a) ? b : a;
}

/** Allowing fewer is stricter: only what both allow. */
function both<T>(a: T[], b: T[]): T[] {
  return a.filter((x) => b.includes(x));
}

/**
 * Both minimums at once: every way to meet the result meets one alternative of each (the pairwise
 * unions), with alternatives that contain another dropped as redundant.
 */
export function combineMinimums(a: FactorKind[][], b: FactorKind[][]): FactorKind[][] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const unions: FactorKind[][] = [];
  for (const x of a) for (const y of b) unions.push([...new Set([...x, ...y])]);
  const contains = (big: FactorKind[], small: FactorKind[]) => small.every((f) => big.includes(f));
  return unions.filter(
    (u, i) =>
      !unions.some(
        (v, j) => j !== i && contains(u, v) && (!contains(v, u) || j < i), // keep one of equals
      ),
  );
}

type Enforcement = Policy['enforcement'];

/**
 * Both enforcements at once. With dates d1 ≤ d2 (no date = binding since forever) the grace
 * behaviour is the stricter of the two in each of three periods: before d1, between, after d2.
 * One date can say that exactly when the middle period matches a neighbour; otherwise the
 * middle takes the stricter of the two (never looser than either policy).
 */
export function combineEnforcement(x: Enforcement, y: Enforcement): Enforcement {
  const at = (e: Enforcement) => (e.date === null ? -Infinity : Date.parse(e.date));
  const [a, b] = at(x) <= at(y) ? [x, y] : [y, x];
  const s = (p: GraceMode, q: GraceMode) => stricterOf(graceOrder, p, q);
  const early = s(a.before, b.before);
  const middle = s(a.after, b.before);
  const late = s(a.after, b.after);
  let out: Enforcement;
  if (a.date === null) out = { date: b.date, before: middle, after: late };
  else if (middle === early) out = { date: b.date, before: early, after: late };
  else if (middle === late) out = { date: a.date, before: early, after: late };
  else out = { date: a.date, before: early, after: s(middle, late) };
  // The same behaviour on both sides of a date: the date says nothing.
  return out.before === out.after && out.date !== null ? { ...out, date: null } : out;
}

export function tighten(base: Policy, org: PolicyOverride): Policy {
  const o = { ...base, ...org };
  return {
    name: base.name,
    preset: base.preset,
    factors: both(base.factors, o.factors),
    minimum: combineMinimums(base.minimum, o.minimum),
    enforcement: combineEnforcement(base.enforcement, o.enforcement),
    mfaAtSignIn: stricterOf(mfaOrder, base.mfaAtSignIn, o.mfaAtSignIn),
    emailCodeFallback: base.emailCodeFallback && o.emailCodeFallback,
    signInAgainAfterPhoneEnrolment:
      base.signInAgainAfterPhoneEnrolment || o.signInAgainAfterPhoneEnrolment,
    emailStepUp: base.emailStepUp && o.emailStepUp,
    codeLength: Math.max(base.codeLength, o.codeLength),
    stepUpWindowMs: Math.min(base.stepUpWindowMs, o.stepUpWindowMs),
    recoveryCode: {
      required: base.recoveryCode.required || o.recoveryCode.required,
      digits: Math.max(base.recoveryCode.digits, o.recoveryCode.digits),
    },
    codeValiditySeconds: {
      email: shorter(base.codeValiditySeconds.email, o.codeValiditySeconds.email),
      phone: shorter(base.codeValiditySeconds.phone, o.codeValiditySeconds.phone),
    },
    sessionLimits: {
      idleMinutes: shorter(base.sessionLimits.idleMinutes, o.sessionLimits.idleMinutes),
      absoluteHours: shorter(base.sessionLimits.absoluteHours, o.sessionLimits.absoluteHours),
    },
    passwordReset: both<PasswordResetMethod>(base.passwordReset, o.passwordReset),
    mfaExemption: {
      allowed: base.mfaExemption.allowed && o.mfaExemption.allowed,
      maxHours: Math.min(base.mfaExemption.maxHours, o.mfaExemption.maxHours),
    },
    adminPhoneUpdate: base.adminPhoneUpdate && o.adminPhoneUpdate,
    adminFactorReset: both(base.adminFactorReset, o.adminFactorReset),
  };
}

/** The shorter of two limits; null is the deployment's setting, which caps either anyway. */
function shorter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** A policy's limit, capped by the deployment's setting: a policy shortens, never lengthens. */
export function capped(policyValue: number | null, setting: number): number {
  return policyValue === null ? setting : Math.min(policyValue, setting);
}
