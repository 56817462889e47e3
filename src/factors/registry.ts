/**
 * Every factor a user proves themselves with, in one list, strongest first: a passkey (phishing-
 * resistant, nothing sent), the authenticator app, the recovery code, then a code by the phone's
 * channels (text, call) and by email. Flows ask `usableMethods` with what they accept and reach
 * a factor through `get`; none names one. A new factor is added here and in its own folder (and,
 * if sign-in can add it, in `enrolments.ts`).
 */
import type { FactorKind } from '../policy/presets.js';
import type { AccountFactors } from './account-factors.js';
import type { Factor, MethodDescriptor, MethodId } from './factor.js';
import { createCodeFactor, type CodeFactorDeps } from './otp-code/code-factor.js';
import type { CodeChannel } from './otp-code/challenge.js';
import { emailMethod } from './otp-code/email-factor.js';
import { createPasskeyFactor, passkeyMethod } from './passkey/factor.js';
import type { PasskeyRepo } from './passkey/repo.js';
import type { PasskeyVerifier } from './passkey/verifier.js';
import { createPhoneFactor, smsMethod, voiceMethod } from './phone/factor.js';
import type { PhoneRepo } from './phone/repo.js';
import { createRecoveryCodeFactor, recoveryCodeMethod } from './recovery/factor.js';
import type { RecoveryCodeVerifier } from './recovery/verifier.js';
import { createTotpFactor, totpMethod } from './totp/factor.js';
import type { TotpVerifier } from './totp/verifier.js';
import type { RelyingPartyConfig } from '../config/webauthn.js';

/** Strongest first: the order every flow offers them in. */
export const methods: readonly MethodDescriptor[] = [
  passkeyMethod,
  totpMethod,
  recoveryCodeMethod,
  smsMethod,
  voiceMethod,
  emailMethod,
];

const byId = new Map(methods.map((m) => [m.id, m]));

export function methodOf(id: MethodId): MethodDescriptor {
  return byId.get(id)!;
}

/** Whether a policy's factor can be passed as a second factor: a method of it is no last resort. */
export const passableFactor = (factor: string): boolean =>
  methods.some((m) => m.factor === factor && !m.fallback);

/** Whether a method sends a code (and so has a channel, a cooldown and a resend). */
export const isSentMethod = (id: MethodId): id is CodeChannel => methodOf(id).sent;

/** What a flow accepts besides the factors the account's policy allows. */
export interface MethodRules {
  /** The policy's `factors`: only these may vouch. */
  allowed: readonly FactorKind[];
  /** The recovery code counts here (sign-in; not a step-up, nor the reset it starts). */
  recoveryCode: boolean;
  /** A code by email counts here (the policy's fallback or step-up setting, a verified inbox). */
  email: boolean;
}

function accepted(method: MethodDescriptor, rules: MethodRules): boolean {
  if (method.factor === null) return rules.email;
  if (method.factor === 'recovery_code' && !rules.recoveryCode) return false;
  return rules.allowed.includes(method.factor);
}

/** The methods the account holds and the flow accepts, strongest first. */
export function usableMethods(factors: AccountFactors, rules: MethodRules): MethodId[] {
  return methods.filter((m) => m.held(factors) && accepted(m, rules)).map((m) => m.id);
}

/** Of some methods, those that send a code: the channels a code may go by, in order. */
export const sentMethods = (ids: readonly MethodId[]): CodeChannel[] => ids.filter(isSentMethod);

export interface FactorRegistryDeps extends CodeFactorDeps {
  phones: Pick<PhoneRepo, 'touch'>;
  totp: TotpVerifier;
  recovery: Pick<RecoveryCodeVerifier, 'use'>;
  rp: RelyingPartyConfig;
  passkeys: Pick<PasskeyRepo, 'list'>;
  passkey: PasskeyVerifier;
}

export interface FactorRegistry {
  get(id: MethodId): Factor;
}

export function createFactorRegistry(deps: FactorRegistryDeps): FactorRegistry {
  const factors: Record<MethodId, Factor> = {
    passkey: createPasskeyFactor(deps),
    totp: createTotpFactor(deps),
    recovery_code: createRecoveryCodeFactor(deps),
    sms: createPhoneFactor(deps, smsMethod),
    voice: createPhoneFactor(deps, voiceMethod),
    email: createCodeFactor(deps, emailMethod),
  };
  return { get: (id) => factors[id] };
}
