/**
 * The reset's email step: a code to the account's email, or, for an address with no account (or
 * one its organisation does not let reset this way), a code issued and sent nowhere, so both
 * answer alike (S6). The email goes out after the answer; a right code proves the inbox.
 */
import { parseEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { passwordResetCode } from '../../delivery/messages.js';
import { codeOutcomeError, Refused } from '../../factors/counted-check.js';
import type { CodeBinding } from '../../factors/otp-code/codes.js';
import type { Account } from '../../store/schema.js';
import { HOUR, RESET_LIMITS, type PasswordResetDeps, type ResetCore } from './core.js';
import { commonOf, type ResetFlowAt } from './machine.js';
import type { ResetView } from './view.js';

type EmailCodeFlow = ResetFlowAt<'email_code'>;

export const emailBinding = (flow: { id: string }): CodeBinding => ({
  flowId: flow.id,
  purpose: 'password_reset',
});

export function createEmailStep(d: PasswordResetDeps, core: ResetCore) {
  /** Issues the step's code; only an existing account's is sent (after the answer). */
  async function issue(flow: EmailCodeFlow, acc: Account | undefined): Promise<void> {
    // The deployment's rules, for an address with or without an account alike (S6).
    const validityMs = (await d.challenges.rules(null)).validityMs.email;
    const issued = await d.codes.issue({
      ...emailBinding(flow),
      accountId: acc?.id ?? null,
      channel: 'email',
      destination: acc?.email ?? flow.data.email,
      length: flow.data.codeLength,
      validityMs,
    });
    if (!acc) return;
    const message = passwordResetCode(d.settings.portalName, acc.email, issued.code, validityMs);
    await d.outbox.enqueue(message, { notAfter: issued.expiresAt });
  }

  return {
    issue,

    async verify(
      token: string,
      flow: EmailCodeFlow,
      acc: Account | undefined,
      code: string,
      origin: RequestOrigin,
    ): Promise<ResetView> {
      await core.countedFirstStep(
        flow,
        acc,
        async () => {
          const result = await d.codes.verify(emailBinding(flow), code.trim());
          if (result.kind !== 'verified') return new Refused(result.kind, codeOutcomeError(result));
          return undefined;
        },
        origin,
      );
      const account = core.requireAccount(acc);
      // The code proved the inbox: an address never verified is verified now.
      await d.accounts.markEmailVerified(account.id, d.clock.now());
      const moved = await core.save(flow, {
        state: 'new_password',
        data: { ...commonOf(flow.data), proofs: ['email'] },
      });
      return core.present(token, moved, undefined);
    },

    async resend(token: string, flow: EmailCodeFlow, acc: Account | undefined): Promise<ResetView> {
      await d.challenges.assertMaySend({
        binding: emailBinding(flow),
        target: { channel: 'email', to: acc?.email ?? flow.data.email },
      });
      await core.hit(
        `reset-email:${core.emailKey(parseEmail(flow.data.email).normalized)}`,
        HOUR,
        RESET_LIMITS.perEmailPerHour,
      );
      // Claims the flow's version first, so a double-clicked resend sends once.
      const saved = await core.save(flow, { state: 'email_code', data: flow.data });
      await issue(saved, acc);
      return core.present(token, saved, undefined);
    },
  };
}
