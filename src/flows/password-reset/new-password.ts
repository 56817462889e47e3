/**
 * The reset's last steps: the new password (in one unit with the spent recovery code, the ended
 * sessions, the audit event and the notice, S32), then, when a recovery code was spent, its
 * replacement shown until the user says it is saved. A completed reset never signs in (S22).
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { securityNotice } from '../../delivery/messages.js';
import { AppError } from '../../errors/app-error.js';
import { checkPassword } from '../../factors/password/rules.js';
import type { Account } from '../../store/schema.js';
import type { PasswordResetDeps, ResetCore, ResetFlow } from './core.js';
import type { ResetData, ResetProof, ResetState } from './machine.js';
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

  /** The password, the spent code, the ended sessions, the audit and the notice: one unit. */
  function commit(
    flow: ResetFlow,
    account: Account,
    passwordHash: string,
    endSessions: boolean,
    origin: RequestOrigin,
  ) {
    const spent = flow.data.recoveryCodeId;
    const next: ResetState = spent ? 'save_recovery_code' : 'completed';
    // The claim comes first: of two concurrent submits, one sets it.
    return d.units.transaction(async () => {
      const claimed = await d.flows.save(flow, { state: next, data: flow.data });
      if (spent && !(await d.recovery.consume(account, spent, origin)))
        return { claimed, spentElsewhere: true };
      await d.accounts.setPassword(account.id, passwordHash, clock.now());
      // Proving who they are lifts the password lock (throttle: "until reset by a recovery").
      await d.throttle.reset(`password:${core.emailKey(account.email_normalized)}`);
      const sessionsEnded = endSessions ? await d.sessions.endAll(account.id) : 0;
      await d.audit.record({
        action: 'password_reset.completed',
        actorId: account.id,
        targetId: account.id,
        origin,
        details: { proofs: flow.data.proofs.join('+'), sessionsEnded },
      });
      const how = flow.data.proofs.map((p) => proofWords[p]).join(' and ');
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
      return { claimed, spentElsewhere: false };
    });
  }

  return {
    async setPassword(
      token: string,
      flow: ResetFlow,
      account: Account,
      input: { password: string; endSessions: boolean; origin: RequestOrigin },
    ): Promise<ResetResult> {
      const normalized = checkPassword(input.password, {
        minLength: d.settings.passwordMinLength,
        email: account.email,
        portalName: d.settings.portalName,
      });
      const passwordHash = await d.passwords.hash(normalized);
      const { claimed, spentElsewhere } = await commit(
        flow,
        account,
        passwordHash,
        input.endSessions,
        input.origin,
      );
      if (spentElsewhere) {
        await d.flows.save(claimed, { state: 'completed', data: flow.data });
        throw new AppError('RECOVERY_CODE_INVALID', {
          message:
            'Your recovery code stopped working while you were resetting your password (it was used or replaced). Start again.',
        });
      }
      if (claimed.state === 'completed') return { status: 'completed', message: DONE_MESSAGE };
      const { code, record } = await d.recovery.issue(account, 'after_use', input.origin);
      const sealed = d.box.seal(Buffer.from(code), recoveryAad(claimed.id));
      const data: ResetData = {
        ...flow.data,
        newRecoveryCode: { ...sealed, createdAt: record.created_at },
      };
      delete data.recoveryCodeId;
      const saved = await d.flows.save(claimed, { state: claimed.state, data });
      return { status: 'continue', view: await core.present(token, saved, undefined) };
    },

    async recoveryCodeSaved(flow: ResetFlow, account: Account, origin: RequestOrigin) {
      await d.recovery.markSaved(account, origin);
      const data = { ...flow.data };
      delete data.newRecoveryCode;
      await d.flows.save(flow, { state: 'completed', data });
      return { status: 'completed', message: DONE_MESSAGE } satisfies ResetResult;
    },
  };
}
