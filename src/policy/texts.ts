/**
 * Whether a policy can have texts or calls sent, and so needs an SMS provider: exactly when a
 * phone is one of its `factors`. Without it no phone can be added, none vouches for a step-up or
 * a sign-in, none gets a reset code, and no notice goes to one (each of those reads
 * `factors`). Production start (config/load.ts) and an administrator's policy change
 * (policy/admin.ts) both ask this one question.
 */
import type { Policy } from './presets.js';

export const sendsTexts = (policy: Pick<Policy, 'factors'>): boolean =>
  policy.factors.includes('phone');

/** Why a policy cannot apply where nothing sends texts (the policy problems' `/field: …` form). */
export const NO_SMS_PROVIDER =
  '/factors: includes phone, but no SMS provider is configured (SMS_PROVIDER=twilio) to send its codes by text or call; remove phone from factors, or configure the provider and restart';
