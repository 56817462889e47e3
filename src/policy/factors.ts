/**
 * Which second factors an account must keep. Until the policy engine's minimums (issue 6), the
 * rule is the presets': a policy that requires a phone keeps the phone, and a policy that asks
 * for a second factor at every sign-in keeps at least one.
 */
import type { Policy } from './presets.js';

export type SecondFactor = 'phone' | 'totp';
export type FactorSet = Record<SecondFactor, boolean>;

export function mayRemove(factor: SecondFactor, has: FactorSet, policy: Policy): boolean {
  if (!has[factor]) return false;
  if (factor === 'phone' && policy.phoneAtSignIn === 'require') return false;
  const others = (Object.keys(has) as SecondFactor[]).filter((f) => f !== factor && has[f]);
  return !(policy.mfaAtSignIn === 'always' && others.length === 0);
}
