/**
 * Which methods sign-in's second step offers an account, strongest first (the registry's order):
 * the recovery code counts here, an email code where the policy keeps it as a fallback; the step
 * starts with the strongest one that is not a fallback.
 */
import type { AccountFactors } from '../../factors/account-factors.js';
import type { MethodId } from '../../factors/factor.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import { isSentMethod, methodOf, sentMethods, usableMethods } from '../../factors/registry.js';
import type { Policy } from '../../policy/presets.js';
import type { SecondFactorMethod } from './machine.js';

/** How sign-in's second step asks `usableMethods`: the recovery code counts, email if a fallback. */
const secondFactorRules = (policy: Policy) => ({
  allowed: policy.factors,
  recoveryCode: true,
  email: policy.emailCodeFallback,
});

/** Every method the second_factor step may use, strongest first. */
export const secondFactorMethods = (factors: AccountFactors, policy: Policy): MethodId[] =>
  usableMethods(factors, secondFactorRules(policy));

/** The channels a second-factor code may go by, default first (the policy allowing the phone). */
export function secondFactorChannels(factors: AccountFactors, policy: Policy): CodeChannel[] {
  return sentMethods(secondFactorMethods(factors, policy));
}

/**
 * The other ways through the second_factor step, strongest first: a passkey, the authenticator
 * app, the recovery code (each where the policy allows it).
 */
export function secondFactorAlternatives(
  factors: AccountFactors,
  policy: Policy,
): Exclude<SecondFactorMethod, 'code'>[] {
  return secondFactorMethods(factors, policy).filter(
    (m): m is Exclude<SecondFactorMethod, 'code'> => !isSentMethod(m),
  );
}

/**
 * The method the second_factor step starts with: the strongest the account holds that is not a
 * fallback (a passkey, then the app, which cost nothing to use; else a code), or undefined.
 */
export const firstSecondFactor = (factors: AccountFactors, policy: Policy): MethodId | undefined =>
  secondFactorMethods(factors, policy).find((m) => !methodOf(m).fallback);
