/**
 * How a factor is added inside sign-in, to meet the policy's minimum (issue 12): each factor that
 * can be, in its own folder, declares its steps (as the pages name them: the first begins adding
 * it, the last saves it), what each keeps in the flow and shows the page, and how the user's
 * answer confirms it. The registry lists them in the order sign-in adds them; flows never name one.
 */
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { RequestOrigin } from '../audit/audit.js';
import type { FactorKind, Policy } from '../policy/presets.js';
import type { Account } from '../store/schema.js';
import type { AccountFactors } from './account-factors.js';
import type { CodeChannel, CodeTarget } from './otp-code/challenge.js';
import type { CodePurpose } from './otp-code/codes.js';
import type { PhoneChannel } from './phone/numbers.js';
import type { EnrolmentView } from './enrolments.js';

/** A step answered by a code it sends (a new number's): the code's purpose, where it goes. */
export interface EnrolmentCodeSpec<Kept> {
  purpose: CodePurpose;
  target(kept: Kept, channel: CodeChannel): CodeTarget;
  /** Where the code went, masked. */
  destination(kept: Kept): string;
  /** What the step keeps once a code is resent over `channel`. */
  withChannel(kept: Kept, channel: CodeChannel): Kept;
}

/** One step of adding a factor: pure, so the flow's machine and its loads can use it. */
export interface EnrolmentStepSpec<Kept> {
  /** Whether loaded data (JSON, read back) holds what the step keeps. */
  fits(raw: Record<string, unknown>): boolean;
  /** The channels a code of the step may go by (for a number being entered: those offered). */
  channels?(kept: Kept): CodeChannel[];
  /** The channel the step's code went by, if any. */
  channel?(kept: Kept): CodeChannel | undefined;
  code?: EnrolmentCodeSpec<Kept>;
}

export interface EnrolmentDescriptor<Steps extends object = Record<string, object>> {
  /** The policy's factor this adds. */
  readonly factor: FactorKind;
  /** Its sign-in steps in order: the first begins adding it, the last saves it. */
  readonly order: readonly [keyof Steps & string, ...(keyof Steps & string)[]];
  readonly steps: { readonly [S in keyof Steps]: EnrolmentStepSpec<Steps[S]> };
  /** The policy may have the user sign in again once it is added (seed 002's phone). */
  readonly signInAgain?: { when(policy: Policy): boolean; message: string };
}

/** What the user answers a step with: a number to confirm, a code, a new passkey. */
export type EnrolmentAnswer =
  | { phone: string; channel: PhoneChannel }
  | { code: string }
  | { name: string; response: RegistrationResponseJSON };

/** Whose factor is added, in which flow, from where. */
export interface EnrolmentContext {
  account: Account;
  factors: AccountFactors;
  flowId: string;
  origin: RequestOrigin;
}

export interface EnrolmentAnswerInput extends EnrolmentContext {
  step: string;
  /** What the step keeps (its part of the flow's data). */
  kept: object;
  answer: EnrolmentAnswer;
  /** Takes what the step keeps out of the flow (a versioned write): answered once. */
  claim(): Promise<void>;
  /** Called once when a code is refused (sign-in's outcome metrics). */
  onFailure(): void;
}

/** The factor was saved; or the next of its steps, with what it keeps (its code sent then). */
export type EnrolmentOutcome = { added: true } | { next: string; kept: object };

/** Adding one factor, its deps bound (the registry's `enrolment`). */
export interface Enrolment {
  readonly descriptor: EnrolmentDescriptor;
  /** Entering `step`: what the flow keeps of it (undefined: nothing, the claim is the step). */
  enter(step: string, ctx: EnrolmentContext): Promise<object | undefined>;
  /** What the page is shown of `step` (the registry's `EnrolmentView` fields). */
  show(
    step: string,
    kept: object,
    ctx: Pick<EnrolmentContext, 'account' | 'flowId'>,
  ): Promise<Partial<EnrolmentView>>;
  /** The user's answer: the factor saved, or its next step; the user's error otherwise. */
  answer(input: EnrolmentAnswerInput): Promise<EnrolmentOutcome>;
}

export const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;
