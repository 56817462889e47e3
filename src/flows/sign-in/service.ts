/**
 * Sign-in: identify + password (or a passkey alone: passkey.ts), then the steps the account still
 * owes (machine.ts), then a new session. Unknown emails and wrong passwords cost the same and
 * answer the same (S6); attempts are counted per email before the password is checked, never per
 * IP (S5). A passkey, a phone code, an authenticator-app code or the recovery code makes the
 * session AAL2; an email code never does (S9).
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { parseEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { EnrolmentAnswer } from '../../factors/enrolment.js';
import { descriptorAt, enrolStates } from '../../factors/enrolments.js';
import type { CodeChannel } from '../../factors/otp-code/challenge.js';
import { normalizePassword } from '../../factors/password/rules.js';
import type { FactorKind } from '../../policy/presets.js';
import { minimumSteps, type SecondFactorMethod, type SignInState } from './machine.js';
import { isAddingFactor, progressOf, type SignInProgress } from './state-data.js';
import { isCodeStep, type CodeStep } from './step-data.js';
import { createSignInCore, type SignInDeps, type SignInResult } from './core.js';
import { createPasskeySignIn, type PasskeySignInView } from './passkey.js';
import { createSecondFactorStep } from './second-factor.js';
import { createMinimumSteps } from './minimum.js';
import { createPendingPhoneStep } from './pending-phone.js';
import type { FlowView } from './steps.js';

export type { SignInDeps, SignInOutcome, SignInResult } from './core.js';
export type { FlowView, PasskeySignInView };

export type { CodeStep };

export interface SignInService {
  start(input: { email: string; password: string; origin: RequestOrigin }): Promise<SignInResult>;
  view(token: string): Promise<FlowView>;
  /**
   * The code of the current step (verify_email, second_factor, confirm_pending_phone, or a
   * factor's being added, like confirm_phone); `only` limits it to one step (/verify-email).
   */
  verifyCode(input: {
    token: string;
    code: string;
    origin: RequestOrigin;
    only?: CodeStep;
  }): Promise<SignInResult>;
  resendCode(input: {
    token: string;
    channel?: CodeChannel;
    origin: RequestOrigin;
  }): Promise<FlowView>;
  skip(input: { token: string; origin: RequestOrigin }): Promise<SignInResult>;
  /** In second_factor: use a passkey (a new ceremony), the app, or the recovery code, instead. */
  chooseMethod(input: {
    token: string;
    method: Exclude<SecondFactorMethod, 'code'>;
    origin: RequestOrigin;
  }): Promise<FlowView>;
  /**
   * Meeting the minimum: the way the user chose (an index into the policy's `minimum`): the flow
   * moves to the first factor it lacks. Choosing again (the same way or another) starts afresh.
   */
  chooseMinimum(input: {
    token: string;
    choice: number;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /**
   * At a step of adding `factor` (meeting the minimum): the answer its step takes — a number to
   * confirm, the app's code, a new passkey — through its enrolment (`factors/enrolments.ts`).
   */
  addFactor(input: {
    token: string;
    factor: FactorKind;
    answer: EnrolmentAnswer;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /** In second_factor: the answer to the flow's passkey ceremony. */
  verifyPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /** Password-less: a passkey ceremony any discoverable passkey of this RP may answer. */
  passkeyOptions(): Promise<PasskeySignInView>;
  /** Password-less: the answer (user verification required); the account's steps follow. */
  signInWithPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /** In save_recovery_code: the user saved the new code; sign-in goes on. */
  recoveryCodeSaved(input: { token: string; origin: RequestOrigin }): Promise<SignInResult>;
  /** In confirm_pending_phone: another way instead (the administrator's number stays pending). */
  declinePendingPhone(input: { token: string; origin: RequestOrigin }): Promise<SignInResult>;
}

export function createSignInService(d: SignInDeps): SignInService {
  const { clock } = d;
  const core = createSignInCore(d);
  const { steps, outcome, load, advance } = core;
  const second = createSecondFactorStep(d, core);
  const passkeys = createPasskeySignIn(d, core);
  const minimum = createMinimumSteps(d, core);
  const pending = createPendingPhoneStep(d, core);
  const passwordSubject = (normalizedEmail: string) =>
    `password:${d.hasher.hash('email', normalizedEmail)}`;

  /** The steps a code answers: sign-in's own, and a factor's being added that sends one. */
  const codeSteps: CodeStep[] = [
    'verify_email',
    'second_factor',
    'confirm_pending_phone',
    ...enrolStates.filter(isCodeStep),
  ];
  const openSteps: SignInState[] = [
    'verify_email',
    'second_factor',
    'confirm_pending_phone',
    ...minimumSteps,
    'save_recovery_code',
  ];

  return {
    async start({ email, password, origin }) {
      const parsed = parseEmail(email);
      const subject = passwordSubject(parsed.normalized);
      // S5 without a write for an account with no failures: the counter is read before the
      // hash (a subject that must wait is not hashed for) and counted after it, a right answer
      // refused like a wrong one when the burst it came in has used up the tries (`throttle.ts`).
      const throttled = async <T>(step: () => Promise<T>): Promise<T> => {
        try {
          return await step();
        } catch (err) {
          const locked = err instanceof AppError && err.code === 'ACCOUNT_LOCKED';
          outcome(locked ? 'locked' : 'throttled');
          throw err;
        }
      };
      await throttled(() => d.throttle.check(subject));
      const acc = await d.accounts.byEmailKey(parsed.normalized);
      const ok = await d.passwords.verify(acc?.password_hash ?? null, normalizePassword(password));
      if (!ok || !acc) {
        const failures = await throttled(() => d.throttle.attempt(subject, acc?.id));
        // The counter names its account, so a lock-out shows on the admin console's user.
        await d.throttle.own(subject, acc?.id ?? null);
        await d.audit.record({
          action: 'sign_in.failed',
          targetId: acc?.id ?? null,
          origin,
          details: { factor: 'pwd', failures },
        });
        outcome('invalid_credentials');
        throw new AppError('INVALID_CREDENTIALS');
      }
      if (acc.state === 'disabled') {
        // Counted like a wrong answer, as before: the right password of a disabled account
        // opens nothing, and a burst learns no more through it than through a wrong one.
        await throttled(() => d.throttle.attempt(subject, acc.id));
        outcome('disabled');
        throw new AppError('ACCOUNT_DISABLED');
      }
      await throttled(() => d.throttle.admit(subject));
      if (acc.password_hash && d.passwords.needsRehash(acc.password_hash)) {
        const rehashed = await d.passwords.hash(normalizePassword(password));
        await d.units.transaction(async () => {
          await d.accounts.rehashPassword(acc.id, rehashed);
          await d.audit.record({
            action: 'account.password_rehashed',
            actorId: acc.id,
            targetId: acc.id,
          });
        });
      }

      return core.begin(acc, { passwordAt: clock.now() }, origin);
    },

    async view(token) {
      const { flow, ctx } = await load(token, ...openSteps);
      return steps.view(token, flow, ctx);
    },

    async verifyCode({ token, code, origin, only }) {
      const loaded = await load(token, ...(only ? [only] : codeSteps));
      const { flow, acc, ctx } = loaded;
      if (flow.state === 'second_factor')
        return second.answer(token, { ...loaded, flow }, { code }, origin);
      if (flow.state === 'verify_email') {
        await core.checkStepCode(flow, acc, 'verify_email', code, origin);
        const now = clock.now();
        await d.units.transaction(async () => {
          await d.accounts.markEmailVerified(acc.id, now);
          await d.audit.record({
            action: 'account.email_verified',
            actorId: acc.id,
            targetId: acc.id,
            origin,
          });
        });
        const verified = { ...acc, email_verified_at: acc.email_verified_at ?? now };
        return advance(token, flow, verified, progressOf(flow.data), origin);
      }
      if (flow.state === 'confirm_pending_phone')
        return pending.confirm(token, flow, ctx, code, origin);
      if (!isAddingFactor(flow)) throw new AppError('FLOW_STATE_CONFLICT');
      return minimum.answerAt(token, flow, ctx, { code }, origin);
    },

    async resendCode({ token, channel, origin }) {
      const { flow, ctx } = await load(token, ...codeSteps);
      // Claims the flow's version first, so a double-clicked resend sends once.
      const saved = await core.save(flow, await steps.resend(flow, ctx, channel, origin));
      await steps.sendCurrent(saved, ctx, origin);
      return steps.view(token, saved, ctx);
    },

    chooseMethod: ({ token, method, origin }) => second.choose(token, method, origin),
    chooseMinimum: (input) => minimum.choose(input),
    async addFactor({ token, factor, answer, origin }) {
      const loaded = await load(token, ...enrolStates);
      // Only at a step of the factor the answer is for (a code for the app is not a phone's).
      if (descriptorAt(loaded.flow.state).factor !== factor)
        throw new AppError('FLOW_STATE_CONFLICT');
      return minimum.answerAt(token, loaded.flow, loaded.ctx, answer, origin);
    },
    skip: (input) => minimum.skip(input),
    declinePendingPhone: (input) => pending.decline(input),

    verifyPasskey: async ({ token, response, origin }) =>
      second.answer(token, await load(token, 'second_factor'), { assertion: response }, origin),
    passkeyOptions: () => passkeys.options(),
    signInWithPasskey: (input) => passkeys.finish(input),

    async recoveryCodeSaved({ token, origin }) {
      const { flow, acc } = await load(token, 'save_recovery_code');
      await d.recovery.markSaved(acc, origin);
      // The sealed code leaves the flow once saved.
      const data: SignInProgress = { ...progressOf(flow.data), recoveryCodeSavedAt: clock.now() };
      return advance(token, flow, acc, data, origin);
    },
  };
}
