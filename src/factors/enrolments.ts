/**
 * The factors sign-in can add to meet the policy's minimum, in the order it adds them (seed 001:
 * "Verify your phone number and get Authenticator"), each with its steps, what they keep and
 * show (`enrolment.ts`). A factor not listed (a password, a recovery code) cannot be added there.
 * Sign-in's states, table and pages take their enrolment steps from here.
 */
import type { FactorKind } from '../policy/presets.js';
import type { Enrolment, EnrolmentDescriptor, EnrolmentStepSpec } from './enrolment.js';
import {
  createPasskeyEnrolment,
  noPasskeyEnrolmentView,
  passkeyEnrolment,
  type PasskeyEnrolmentView,
  type PasskeySignInSteps,
} from './passkey/enrolment.js';
import type { PasskeyRegistrationDeps } from './passkey/register.js';
import {
  createPhoneEnrolment,
  noPhoneEnrolmentView,
  phoneEnrolment,
  type PhoneEnrolmentDeps,
  type PhoneEnrolmentView,
  type PhoneSignInSteps,
} from './phone/enrolment.js';
import {
  createTotpEnrolment,
  noTotpEnrolmentView,
  totpEnrolment,
  type TotpEnrolmentDeps,
  type TotpEnrolmentView,
  type TotpSignInSteps,
} from './totp/enrolment.js';

/** In the order sign-in adds them. */
export const enrolments: readonly EnrolmentDescriptor[] = [
  phoneEnrolment,
  totpEnrolment,
  passkeyEnrolment,
];

/** Every enrolment step, with what it keeps in the flow. */
export type EnrolStepData = PhoneSignInSteps & TotpSignInSteps & PasskeySignInSteps;
export type EnrolState = keyof EnrolStepData;

/** What the pages are shown of adding a factor: every field, null where the step has none. */
export type EnrolmentView = PhoneEnrolmentView & TotpEnrolmentView & PasskeyEnrolmentView;
export const noEnrolmentView: EnrolmentView = {
  ...noPhoneEnrolmentView,
  ...noTotpEnrolmentView,
  ...noPasskeyEnrolmentView,
};

/** Every enrolment step, factor by factor in order. */
export const enrolStates = enrolments.flatMap((e) => e.order) as EnrolState[];

const byFactor = new Map(enrolments.map((e) => [e.factor, e]));
const byState = new Map(enrolments.flatMap((e) => e.order.map((s) => [s, e] as const)));

/** How sign-in adds `factor`, if it can. */
export const enrolmentOf = (factor: FactorKind) => byFactor.get(factor);

/** Of some factors, the first sign-in adds (in its order), if it can add any. */
export const firstToAdd = (factors: readonly FactorKind[]) =>
  enrolments.find((e) => factors.includes(e.factor));

/** The step that begins adding a factor (its first). */
export const beginsAt = (e: EnrolmentDescriptor) => e.order[0] as EnrolState;

/** Whether `state` is an enrolment step. */
export const isEnrolState = (state: string): state is EnrolState => byState.has(state);

/** The factor `state` adds. */
export function descriptorAt(state: EnrolState): EnrolmentDescriptor {
  return byState.get(state)!;
}

/** What `state` is: its check, channels and code. */
export function specAt(state: EnrolState): EnrolmentStepSpec<object> {
  return (descriptorAt(state).steps as Record<string, EnrolmentStepSpec<object>>)[state]!;
}

export type EnrolmentDeps = PhoneEnrolmentDeps & TotpEnrolmentDeps & PasskeyRegistrationDeps;

export interface EnrolmentRegistry {
  /** Adding the factor `state` belongs to. */
  at(state: EnrolState): Enrolment;
}

export function createEnrolmentRegistry(deps: EnrolmentDeps): EnrolmentRegistry {
  const made = new Map<FactorKind, Enrolment>(
    [createPhoneEnrolment(deps), createTotpEnrolment(deps), createPasskeyEnrolment(deps)].map(
      (e) => [e.descriptor.factor, e],
    ),
  );
  return { at: (state) => made.get(descriptorAt(state).factor)! };
}
