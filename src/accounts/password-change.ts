/**
 * Changing the password while signed in (issue 6): a fresh step-up and the current password
 * (counted on the same per-email counter as sign-in, S5, so this is no side door for guessing),
 * the sign-up rules for the new one, the other sessions ended when the user asks, and a notice
 * (S21).
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { securityNotice } from '../delivery/messages.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import { AppError } from '../errors/app-error.js';
import type { PasswordHasher } from '../factors/password/hashing.js';
import { checkPassword, normalizePassword } from '../factors/password/rules.js';
import type { FreshVerification } from '../sessions/fresh.js';
import type { AuthenticatedSession, SessionService } from '../sessions/sessions.js';
import type { Throttle } from './throttle.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountRepo } from './repo.js';

export interface PasswordChangeDeps {
  units: UnitOfWork;
  accounts: AccountRepo;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  throttle: Throttle;
  stepUp: FreshVerification;
  sessions: SessionService;
  audit: AuditLog;
  notify: (message: OutgoingMessage) => Promise<void>;
  settings: { portalName: string; passwordMinLength: number };
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  /** "Sign out of my other devices". */
  endOtherSessions: boolean;
}

export type ChangePassword = (
  auth: AuthenticatedSession,
  change: PasswordChange,
  origin: RequestOrigin,
) => Promise<{ sessionsEnded: number }>;

export function createPasswordChange(d: PasswordChangeDeps): ChangePassword {
  return async (auth, change, origin) => {
    const account = auth.account;
    await d.stepUp.require(auth);
    const subject = `password:${d.hasher.hash('email', account.email_normalized)}`;
    await d.throttle.attempt(subject);
    const right = await d.passwords.verify(
      account.password_hash,
      normalizePassword(change.currentPassword),
    );
    if (!right) {
      await d.audit.record({
        action: 'account.password_change_failed',
        actorId: account.id,
        targetId: account.id,
        origin,
      });
      throw new AppError('CURRENT_PASSWORD_INVALID');
    }
    await d.throttle.reset(subject);
    const normalized = checkPassword(change.newPassword, {
      minLength: d.settings.passwordMinLength,
      email: account.email,
      portalName: d.settings.portalName,
    });
    const passwordHash = await d.passwords.hash(normalized);
    const now = d.clock.now();
    // The password, the ended sessions, the audit event and the notice commit together (S32).
    const sessionsEnded = await d.units.transaction(async () => {
      await d.accounts.setPassword(account.id, passwordHash, now);
      const ended = change.endOtherSessions
        ? await d.sessions.endOthers(account.id, auth.session.id)
        : 0;
      await d.audit.record({
        action: 'account.password_changed',
        actorId: account.id,
        targetId: account.id,
        origin,
        details: { sessionsEnded: ended },
      });
      await d.notify(
        securityNotice(
          d.settings.portalName,
          account.email,
          'Your password was changed.' +
            (change.endOtherSessions ? ' You were signed out on your other devices.' : ''),
        ),
      );
      return ended;
    });
    return { sessionsEnded };
  };
}
