/**
 * Which second factors an account must keep. Until sign-in applies the policy engine's minimum
 * (issue 6; then `mayRemoveFactor` in evaluate.ts replaces this function), the rule is the presets': a policy that requires a phone keeps the phone, and a policy that asks
 * for a second factor at every sign-in keeps at least one. Passkeys count one each (removing one
 * of two leaves a factor); a passkey is multi-factor by itself, so it also satisfies "always".
 */
import type { Policy } from './presets.js';

export type SecondFactor = 'phone' | 'totp' | 'passkey';
/** How many of each the account has: phone and app 0 or 1, passkeys any number. */
export type FactorSet = Record<SecondFactor, number>;

export function mayRemove(factor: SecondFactor, has: FactorSet, policy: Policy): boolean {
  if (has[factor] < 1) return false;
  if (factor === 'phone' && policy.phoneAtSignIn === 'require') return false;
  const left = { ...has, [factor]: has[factor] - 1 };
  const remaining = (Object.keys(left) as SecondFactor[]).some((f) => left[f] > 0);
  return !(policy.mfaAtSignIn === 'always' && !remaining);
}
