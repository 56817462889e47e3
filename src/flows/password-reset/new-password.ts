/**
 * The reset's last steps: the new password (in one unit with the spent recovery code and its
 * replacement, the ended sessions, the audit event and the notice, S32), then, when a recovery
 * code was spent, the replacement shown until the user says it is saved. A completed reset never
 * signs in (S22).
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { securityNotice } from '../../delivery/messages.js';
import { AppError } from '../../errors/app-error.js';
import { checkPassword } from '../../factors/password/rules.js';
import type { Account } from '../../store/schema.js';
import type { PreparedRecoveryCode } from '../../factors/recovery/service.js';
import type { PasswordResetDeps, ResetCore } from './core.js';
import { commonOf, type ResetFlowAt, type ResetProof } from './machine.js';
import { recoveryAad, type ResetView } from './view.js';

export type ResetResult =
  { status: 'continue'; view: ResetView } | { status: 'completed'; message: string };

const DONE_MESSAGE = 'Your password is changed. Sign in with your new password.';

const proofWords: Record<ResetProof, string> = {
  email: 'a code sent to this email address',
  recovery_code: 'your recovery code',
  passkey: 'your passkey',
  totp: 'a code from your authenticator app',
  sms: 'a code sent by text message',
  voice: 'a code given by phone call',
};

export function createNewPasswordStep(d: PasswordResetDeps, core: ResetCore) {
  const { clock } = d;

  /**
   * The password, the spent code and its replacement (`fresh`, hashed before), the ended
   * sessions, the audit and the notice: one unit. The flow as saved, or none: the code was spent
   * elsewhere (and the reset ended).
   */
  function commit(
    flow: ResetFlowAt<'new_password'>,
    account: Account,
    passwordHash: string,
    fresh: PreparedRecoveryCode | undefined,
    input: { endSessions: boolean; origin: RequestOrigin },
  ) {
    const { endSessions, origin } = input;
    const { recoveryCodeId: spent, proofs } = flow.data;
    const done = { state: 'completed' as const, data: { ...commonOf(flow.data), proofs } };
    // The claim comes first: of two concurrent submits, one sets it.
    return d.units.transaction(async () => {
      const claimed = fresh
        ? await core.save(flow, {
            state: 'save_recovery_code',
            data: {
              ...commonOf(flow.data),
              proofs,
              newRecoveryCode: {
                ...d.box.seal(Buffer.from(fresh.code), recoveryAad(flow.id)),
                createdAt: clock.now(),
              },
            },
          })
        : await core.save(flow, done);
      if (spent && !(await d.recovery.consume(account, spent, origin))) {
        await core.save(claimed, done);
        return undefined;
      }
      await d.accounts.setPassword(account.id, passwordHash, clock.now());
      // Proving who they are lifts the password lock (throttle: "until reset by a recovery").
      await d.throttle.reset(`password:${core.emailKey(account.email_normalized)}`);
      const sessionsEnded = endSessions ? await d.sessions.endAll(account.id) : 0;
      await d.audit.record({
        action: 'password_reset.completed',
        actorId: account.id,
        targetId: account.id,
        origin,
        details: { proofs: proofs.join('+'), sessionsEnded },
      });
      const how = proofs.map((p) => proofWords[p]).join(' and ');
      await d.notify(
        securityNotice(
          d.settings.portalName,
          account.email,
          `Your password was reset, after you confirmed it was you with ${how}.` +
            (spent
              ? ' Your recovery code was used and no longer works; a new one was shown.'
              : '') +
            (endSessions ? ' You were signed out everywhere.' : ''),
        ),
      );
      if (fresh) await d.recovery.issue(account, 'after_use', origin, fresh);
      return claimed;
    });
  }

  return {
    async setPassword(
      token: string,
      flow: ResetFlowAt<'new_password'>,
      account: Account,
      input: { password: string; endSessions: boolean; origin: RequestOrigin },
    ): Promise<ResetResult> {
      const normalized = checkPassword(input.password, {
        minLength: d.settings.passwordMinLength,
        email: account.email,
        portalName: d.settings.portalName,
      });
      const passwordHash = await d.passwords.hash(normalized);
      // A spent recovery code's replacement, hashed outside the unit and shown once it is set.
      const fresh = flow.data.recoveryCodeId ? await d.recovery.prepare(account.id) : undefined;
      const claimed = await commit(flow, account, passwordHash, fresh, input);
      if (!claimed) {
        throw new AppError('RECOVERY_CODE_INVALID', {
          message:
            'Your recovery code stopped working while you were resetting your password (it was used or replaced). Start again.',
        });
      }
      if (claimed.state === 'completed') return { status: 'completed', message: DONE_MESSAGE };
      return { status: 'continue', view: await core.present(token, claimed, undefined) };
    },

    async recoveryCodeSaved(
      flow: ResetFlowAt<'save_recovery_code'>,
      account: Account,
      origin: RequestOrigin,
    ) {
      await d.recovery.markSaved(account, origin);
      const { proofs } = flow.data;
      await core.save(flow, { state: 'completed', data: { ...commonOf(flow.data), proofs } });
      return { status: 'completed', message: DONE_MESSAGE } satisfies ResetResult;
    },
  };
}
