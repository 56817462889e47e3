/**
 * What the sign-in pages are shown of a flow: its step, where a pending code went (masked), the
 * channels a resend may use, the second step's methods, the minimum's ways, what a factor being
 * added shows (its enrolment's: a new app key, a passkey ceremony), and a new recovery code.
 */
import { maskEmail } from '../../accounts/email.js';
import { AppError } from '../../errors/app-error.js';
import type { ChallengeView, CodeChannel } from '../../factors/otp-code/challenge.js';
import {
  isEnrolState,
  noEnrolmentView,
  specAt,
  type EnrolmentView,
} from '../../factors/enrolments.js';
import type { AuthenticationCeremony } from '../../factors/passkey/ceremony.js';
import { maskPhone } from '../../factors/phone/numbers.js';
import { formatRecoveryCode } from '../../factors/recovery/code.js';
import { holdingsOf } from '../../policy/holdings.js';
import type { FactorKind } from '../../policy/presets.js';
import type { SignInDeps } from './core.js';
import {
  evaluateAccount,
  methodInUse,
  minimumWays,
  type SecondFactorMethod,
  type SignInState,
} from './machine.js';
import { secondFactorAlternatives } from './methods.js';
import {
  channelOf,
  channelsOf,
  isCodeStep,
  isMinimumStep,
  purposeOf,
  recoveryAad,
  type AccountContext,
  type SignInFlow,
} from './step-data.js';

type OpenStep = Exclude<SignInState, 'completed' | 'restart'>;

/** One way to meet the policy's minimum, as the choose_mfa page lists it. */
export interface MinimumWayView {
  /** The factors of this way (seed 001: `passkey`; `totp`+`phone`; `password`+`phone`). */
  factors: FactorKind[];
  /** What it still lacks. */
  missing: FactorKind[];
  /** Whether sign-in can add what it lacks (a password cannot be added here). */
  available: boolean;
}

export interface MinimumView {
  ways: MinimumWayView[];
  /** The way chosen in this flow, if any (an index into `ways`). */
  chosen: number | null;
  /** When the minimum binds (null: it has no date). */
  deadline: number | null;
  /** Sign-in cannot go on until it is met (after the date, or a policy that blocks). */
  enforced: boolean;
}

/** What every step is shown, and (null but in its steps) what adding a factor shows. */
export interface FlowView extends EnrolmentView {
  flow: string;
  step: OpenStep;
  expiresAt: number;
  serverTime: number;
  /** Masked email or phone the pending code went to (null before a number is entered). */
  destination: string | null;
  /** Channels the user may ask a code by in this step, the current one first. */
  channels: CodeChannel[];
  /** Whether "Skip for Now" is offered. */
  skippable: boolean;
  code: ChallengeView | null;
  /** In second_factor: what is being entered now, and the other ways through. */
  secondFactor: {
    method: SecondFactorMethod;
    alternatives: Exclude<SecondFactorMethod, 'code'>[];
  } | null;
  /** In second_factor with a passkey: the options for navigator.credentials.get (S15). */
  passkey: AuthenticationCeremony | null;
  /** In save_recovery_code: the new code, shown until the user says it is saved. */
  recoveryCode: { code: string; digits: number; createdAt: number } | null;
  /** In the steps of meeting the policy's minimum: its ways, the deadline, whether it blocks. */
  minimum: MinimumView | null;
}

export function createSignInView(d: SignInDeps) {
  /** What the choose_mfa and enrol steps show of the minimum. */
  function minimumView(flow: SignInFlow, ctx: AccountContext): MinimumView {
    const { acc, factors, policy } = ctx;
    const ev = evaluateAccount(acc, factors, policy, d.clock.now());
    return {
      ways: minimumWays(policy, holdingsOf(acc, factors)).map(
        ({ factors: f, missing, available }) => ({ factors: f, missing, available }),
      ),
      chosen: flow.data.minimumChoice ?? null,
      deadline: ev.deadline,
      enforced: ev.grace === 'block',
    };
  }

  /** Whether "Skip for Now" is offered: in the minimum's steps, while it does not block. */
  function skippable(flow: SignInFlow, ctx: AccountContext): boolean {
    if (!isMinimumStep(flow.state)) return false;
    const ev = evaluateAccount(ctx.acc, ctx.factors, ctx.policy, d.clock.now());
    return ev.actions.some((a) => a.action === 'meet_minimum' && a.skippable);
  }

  return {
    skippable,

    async view(token: string, flow: SignInFlow, ctx: AccountContext): Promise<FlowView> {
      const { acc, factors, policy } = ctx;
      if (flow.state === 'completed' || flow.state === 'restart')
        throw new AppError('FLOW_STATE_CONFLICT');
      const purpose = isCodeStep(flow.state) ? purposeOf(flow.state) : undefined;
      const current = channelOf(flow);
      const channel = current ?? 'email';
      const method = flow.state === 'second_factor' ? flow.data.method : 'code';
      const sending = method === 'code';
      let destination: string | null = null;
      if (flow.state === 'verify_email') destination = maskEmail(acc.email);
      else if (flow.state === 'second_factor')
        destination = d.factors.get(methodInUse(flow.data)).destination(acc, factors);
      else if (flow.state === 'confirm_pending_phone')
        destination = maskPhone(flow.data.pendingPhone.e164);
      else if (isEnrolState(flow.state))
        destination = specAt(flow.state).code?.destination(flow.data) ?? null;
      const channels = channelsOf(flow, ctx);
      const sealed = flow.state === 'save_recovery_code' ? flow.data.newRecoveryCode : undefined;
      const shown = sealed ? d.box.open(sealed, recoveryAad(flow.id)).toString() : null;
      // A factor being added: what its enrolment shows (a new app key, a ceremony, a country).
      const adding = isEnrolState(flow.state)
        ? await d.enrolments
            .at(flow.state)
            .show(flow.state, flow.data, { account: acc, flowId: flow.id })
        : {};
      return {
        flow: token,
        step: flow.state,
        expiresAt: flow.expiresAt,
        serverTime: d.clock.now(),
        destination: sending ? destination : null,
        channels:
          sending && current && channels.includes(current)
            ? [current, ...channels.filter((c) => c !== current)]
            : channels,
        skippable: skippable(flow, ctx),
        code:
          purpose && sending
            ? await d.challenges.view({ flowId: flow.id, purpose }, channel, policy.codeLength)
            : null,
        secondFactor:
          flow.state === 'second_factor'
            ? { method, alternatives: secondFactorAlternatives(factors, policy) }
            : null,
        recoveryCode:
          shown !== null && sealed
            ? { code: formatRecoveryCode(shown), digits: shown.length, createdAt: sealed.createdAt }
            : null,
        passkey: flow.state === 'second_factor' ? (flow.data.challenge?.ceremony ?? null) : null,
        minimum: isMinimumStep(flow.state) ? minimumView(flow, ctx) : null,
        ...noEnrolmentView,
        ...adding,
      };
    },
  };
}
