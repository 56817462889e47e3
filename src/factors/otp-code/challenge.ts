/**
 * Sending a one-time code over a channel, and describing the pending code to a page. Shared by
 * sign-in, step-up and phone enrolment. Phone channels pass the spend guard before any provider
 * call (S10). Every code goes through the durable outbox (S32), valid as long as the code is: sent
 * before the answer for a user the password or session has already named, so that a provider
 * failure becomes a message that names the alternatives; or, with `afterAnswer`, sent after it
 * where the send itself must not tell anything (S6: a code to an address that may belong to
 * someone else).
 */
import type { Clock } from '../../clock.js';
import * as messages from '../../delivery/messages.js';
import { smsCode, voiceCode } from '../../delivery/phone-messages.js';
import type { Outbox } from '../../delivery/outbox.js';
import type { SpendGuard } from '../../delivery/spend-guard.js';
import { AppError } from '../../errors/app-error.js';
import type { PolicySource } from '../../policy/source.js';
import { capped } from '../../policy/tighten.js';
import type { CodeBinding, CodeService } from './codes.js';
import { cooldownWait, type PaceScope } from './pacing.js';

export type CodeChannel = 'email' | 'sms' | 'voice';

export interface CodeTarget {
  channel: CodeChannel;
  /** Email address or E.164 number. */
  to: string;
  /** ISO country of a phone number (for the allow-list). */
  country?: string;
}

export interface ChallengeView {
  channel: CodeChannel;
  length: number;
  validForSeconds: number;
  issuedAt: number;
  expiresAt: number;
  resendAvailableAt: number;
  attemptsLeft: number;
}

/** How codes for one account are made: its policy's length and validity, per channel. */
export interface CodeRules {
  length: number;
  validityMs: Record<CodeChannel, number>;
}

export interface ChallengeSettings {
  portalName: string;
  /** The longest a code may last, by email and by phone (a policy may shorten it). */
  emailValidityMs: number;
  phoneValidityMs: number;
  resendCooldownMs: number;
}

export interface Challenges {
  /**
   * The length and validity of codes for an account, from its policy (`codeLength`,
   * `codeValiditySeconds`); null: the deployment's policy (a signed-out user not yet known).
   */
  rules(accountId: string | null): Promise<CodeRules>;
  /** Issues a new code for the binding (voiding the old one) and sends it. */
  send(input: {
    binding: CodeBinding;
    target: CodeTarget;
    /** Whose cooldown the code counts in: the binding's flow unless said. */
    pace?: PaceScope;
    accountId: string | null;
    ip: string | null;
    alternatives: CodeChannel[];
    /** Digits, when the flow fixed them; otherwise the account's policy's (`rules`). */
    length?: number;
    /** Sent after the answer, and its failure never returned (S6). */
    afterAnswer?: boolean;
  }): Promise<void>;
  /**
   * Throws RESEND_TOO_SOON unless the cooldown (`pacing.ts`) lets a code for the binding's step go
   * to `target` now. `send` checks it first; a flow that changes before it sends checks it before.
   */
  assertMaySend(input: {
    binding: CodeBinding;
    target: CodeTarget;
    pace?: PaceScope;
  }): Promise<void>;
  /** `length`: the digits the code was sent with (see `send`). */
  view(binding: CodeBinding, channel: CodeChannel, length: number): Promise<ChallengeView | null>;
}

const channelWords: Record<CodeChannel, string> = {
  email: '"Send code to email"',
  sms: '"Text me"',
  voice: '"Call me"',
};

export function createChallenges(d: {
  codes: CodeService;
  outbox: Outbox;
  guard: SpendGuard;
  clock: Clock;
  policies: PolicySource;
  settings: ChallengeSettings;
}): Challenges {
  const { settings } = d;

  async function rules(accountId: string | null): Promise<CodeRules> {
    const policy =
      accountId === null ? await d.policies.deployment() : await d.policies.forAccount(accountId);
    const { email, phone } = policy.codeValiditySeconds;
    const ms = (s: number | null) => (s === null ? null : s * 1000);
    const phoneMs = capped(ms(phone), settings.phoneValidityMs);
    return {
      length: policy.codeLength,
      validityMs: {
        email: capped(ms(email), settings.emailValidityMs),
        sms: phoneMs,
        voice: phoneMs,
      },
    };
  }

  async function assertMaySend({
    binding,
    target,
    pace,
  }: {
    binding: CodeBinding;
    target: CodeTarget;
    pace?: PaceScope;
  }): Promise<void> {
    const history = await d.codes.history(pace ?? { flowId: binding.flowId }, binding.purpose);
    const next = { flowId: binding.flowId, channel: target.channel, to: target.to };
    const wait = cooldownWait(history, next, d.clock.now(), settings.resendCooldownMs);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new AppError('RESEND_TOO_SOON', {
        message: `Please wait ${seconds} seconds before asking for another code.`,
        details: { retryAfterSeconds: seconds },
        headers: { 'retry-after': String(seconds) },
      });
    }
  }

  return {
    rules,

    async send({ binding, target, accountId, ip, alternatives, length, afterAnswer, pace }) {
      await assertMaySend({ binding, target, ...(pace ? { pace } : {}) });
      if (target.channel !== 'email') {
        await d.guard.admit({ to: target.to, country: target.country ?? '', ip, accountId });
      }
      const made = await rules(accountId);
      const validityMs = made.validityMs[target.channel];
      const issued = await d.codes.issue({
        ...binding,
        accountId,
        channel: target.channel,
        destination: target.to,
        length: length ?? made.length,
        validityMs,
      });
      const message =
        target.channel === 'email'
          ? messages.emailVerificationCode(settings.portalName, target.to, issued.code, validityMs)
          : target.channel === 'sms'
            ? smsCode(settings.portalName, target.to, issued.code, validityMs)
            : voiceCode(settings.portalName, target.to, issued.code);
      if (afterAnswer) {
        await d.outbox.enqueue(message, { notAfter: issued.expiresAt });
        return;
      }
      try {
        await d.outbox.sendNow(message, { notAfter: issued.expiresAt });
      } catch (cause) {
        // Undelivered: the code can never be entered, and must not hold up a resend.
        await d.codes.revoke(binding);
        const others = alternatives.filter((c) => c !== target.channel).map((c) => channelWords[c]);
        const what =
          target.channel === 'email' ? 'email' : target.channel === 'sms' ? 'text message' : 'call';
        throw new AppError('DELIVERY_FAILED', {
          message:
            `We could not send the ${what} with your code. ` +
            (others.length > 0
              ? `Try again, or choose ${others.join(' or ')}.`
              : 'Try again in a moment.'),
          details: {
            channel: target.channel,
            alternatives:
              others.length > 0 ? alternatives.filter((c) => c !== target.channel).join(',') : null,
          },
          cause,
        });
      }
    },

    assertMaySend,

    async view(binding, channel, length) {
      const active = await d.codes.active(binding);
      if (!active) return null;
      return {
        channel,
        length,
        // As issued (the account's policy at the time).
        validForSeconds: Math.round((active.expiresAt - active.createdAt) / 1000),
        issuedAt: active.createdAt,
        expiresAt: active.expiresAt,
        resendAvailableAt: active.createdAt + settings.resendCooldownMs,
        attemptsLeft: active.attemptsLeft,
      };
    },
  };
}
