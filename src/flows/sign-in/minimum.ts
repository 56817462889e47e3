/**
 * Meeting the policy's minimum inside sign-in: choosing a way (choose_mfa), adding each factor it
 * lacks — a phone confirmed by a code (enrol_phone → confirm_phone), the authenticator app
 * confirmed by its first code (enrol_totp), a passkey (enrol_passkey) — and "Skip for Now" while
 * the policy lets it wait. A factor added here never vouches for itself.
 */
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import { registerPasskey } from '../../factors/passkey/register.js';
import { canReceive, parsePhone } from '../../factors/phone/numbers.js';
import { confirmTotp } from '../../factors/totp/enrol.js';
import { holdingsOf } from '../../policy/holdings.js';
import type { SignInCore, SignInDeps, SignInResult } from './core.js';
import { minimumSteps, minimumWays } from './machine.js';
import {
  progressOf,
  type SignInClaimed,
  type SignInFlowAt,
  type SignInProgress,
} from './state-data.js';
import type { AccountContext } from './step-data.js';

type Input = { token: string; origin: RequestOrigin };

export function createMinimumSteps(d: SignInDeps, core: SignInCore) {
  const { clock } = d;
  const { steps, load, advance, save } = core;

  /** A factor was added in this flow: on to what is owed next (seed 002: sign in again). */
  async function added(
    token: string,
    flow: SignInClaimed,
    ctx: AccountContext,
    progress: SignInProgress,
    origin: RequestOrigin,
    factor: 'phone' | 'totp' | 'passkey',
  ): Promise<SignInResult> {
    const next: SignInProgress = { ...progress, enrolledAt: clock.now() };
    if (factor === 'phone' && ctx.policy.signInAgainAfterPhoneEnrolment) {
      await save(flow, { state: 'restart', data: progressOf(next) });
      return {
        status: 'restart',
        message: 'Your phone number is verified. Sign in again to continue.',
      };
    }
    return advance(token, flow, ctx.acc, next, origin);
  }

  return {
    /** In confirm_phone: the code sent to the new number; the phone is saved. */
    async confirmPhone(
      token: string,
      flow: SignInFlowAt<'confirm_phone'>,
      ctx: AccountContext,
      code: string,
      origin: RequestOrigin,
    ): Promise<SignInResult> {
      const acc = ctx.acc;
      await core.checkStepCode(flow, acc, 'confirm_phone', code, origin);
      await steps.savePhone(acc, flow.data.pendingPhone, origin);
      return added(token, flow, ctx, progressOf(flow.data), origin, 'phone');
    },

    async submitPhone({
      token,
      phone,
      channel,
      origin,
    }: Input & { phone: string; channel: 'sms' | 'voice' }) {
      const { flow, ctx } = await load(token, 'enrol_phone', 'confirm_phone');
      const parsed = parsePhone(phone, d.phoneRules);
      if (!canReceive(parsed.kind, channel)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const pendingPhone = { e164: parsed.e164, country: parsed.country, kind: parsed.kind };
      const data = { ...progressOf(flow.data), channel, pendingPhone };
      // The flow's cooldown holds for any number (S10): checked before the flow changes.
      await d.challenges.assertMaySend({
        binding: { flowId: flow.id, purpose: 'confirm_phone' },
        target: { channel, to: parsed.e164, country: parsed.country },
      });
      const saved = await save(flow, { state: 'confirm_phone', data });
      await steps.sendCurrent(saved, ctx, origin);
      return steps.view(token, saved, ctx);
    },

    async choose({ token, choice, origin }: Input & { choice: number }): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, ...minimumSteps);
      const way = minimumWays(ctx.policy, holdingsOf(acc, ctx.factors))[choice];
      if (!way?.available) throw new AppError('METHOD_NOT_AVAILABLE');
      // A fresh start of that way: nothing pending from another one is kept.
      const data = { ...progressOf(flow.data), minimumChoice: choice };
      return advance(token, flow, acc, data, origin);
    },

    async confirmTotp({ token, code, origin }: Input & { code: string }): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, 'enrol_totp');
      const secret = steps.pendingTotp(flow);
      const data = progressOf(flow.data);
      // Claimed (versioned write, the key taken out) once the code is right and before the key
      // is saved: once.
      let claimed: SignInClaimed = flow;
      await confirmTotp(d, acc, secret, code, origin, async () => {
        claimed = await save(flow, { state: 'enrol_totp', claim: true, data });
      });
      return added(token, claimed, ctx, data, origin, 'totp');
    },

    async registerPasskey({
      token,
      name,
      response,
      origin,
    }: Input & { name: string; response: RegistrationResponseJSON }): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, 'enrol_passkey');
      const ceremony = flow.data.passkeyRegistration;
      if (!ceremony) throw new AppError('CEREMONY_EXPIRED');
      // Taken out of the flow before the answer is looked at: answered once (S15). To try
      // again, the page chooses the way again (a new ceremony).
      const data = progressOf(flow.data);
      const claimed = await save(flow, { state: 'enrol_passkey', data });
      await registerPasskey(d, acc, ceremony, { name, response }, origin);
      return added(token, claimed, ctx, data, origin, 'passkey');
    },

    async skip({ token, origin }: Input): Promise<SignInResult> {
      const { flow, acc, ctx } = await load(token, ...minimumSteps);
      if (!steps.skippable(flow, ctx)) throw new AppError('FLOW_STATE_CONFLICT');
      const now = clock.now();
      // Remembered on the account: an `offer` is not made again; a `remind` is, next time.
      await d.accounts.dismissMinimumOffer(acc.id, now);
      await d.audit.record({
        action: 'sign_in.minimum_skipped',
        actorId: acc.id,
        targetId: acc.id,
        origin,
      });
      const data: SignInProgress = { ...progressOf(flow.data), minimumSkippedAt: now };
      delete data.minimumChoice;
      return advance(token, flow, { ...acc, phone_offer_dismissed_at: now }, data, origin);
    },
  };
}
