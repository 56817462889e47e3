/**
 * What an administrator does for a user (seed 002's help desk): turn MFA off for a while (capped
 * by the user's policy; it ends by itself since every check reads the expiry) or end that early,
 * unlock (S5), end every session, deactivate (every session ends at once) and reactivate. Each
 * change, its audit event (actor, target, organisation, reason) and the user's notice are one
 * unit of work (S25, S32): all of them or none.
 */
import type { AccountRepo } from '../accounts/repo.js';
import type { Throttle } from '../accounts/throttle.js';
import type { AuditAction, AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { securityNotice } from '../delivery/messages.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import { AppError } from '../errors/app-error.js';
import type { PolicySource } from '../policy/source.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Account } from '../store/schema.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { counterSubjects } from './users.js';

export interface AdminActionDeps {
  accounts: AccountRepo;
  audit: AuditLog;
  units: UnitOfWork;
  clock: Clock;
  policies: PolicySource;
  sessions: SessionService;
  throttle: Throttle;
  hasher: KeyedHasher;
  notify: (message: OutgoingMessage) => Promise<void>;
  portalName: string;
}

export interface AdminAct {
  actor: Account;
  target: Account;
  reason: string | null;
  origin: RequestOrigin;
}

const HOUR = 3_600_000;

export function createAdminActions(d: AdminActionDeps) {
  const { clock } = d;

  /** The change, its audit event and the user's notice, in one unit. */
  async function done(
    act: AdminAct,
    action: AuditAction,
    change: () => Promise<void>,
    notice: string,
    details: Record<string, string | number | boolean | null> = {},
  ): Promise<void> {
    await d.units.transaction(async () => {
      await change();
      await d.audit.record({
        action,
        actorId: act.actor.id,
        targetId: act.target.id,
        origin: act.origin,
        organisationId: act.target.organisation_id,
        reason: act.reason,
        details,
      });
      await d.notify(securityNotice(d.portalName, act.target.email, notice));
    });
  }

  const when = (at: number) => new Date(at).toUTCString();

  return {
    /** Turns MFA off until now + `hours` (the policy's `mfaExemption` allows and caps it). */
    async exemptFromMfa(act: AdminAct, hours: number): Promise<number> {
      const policy = await d.policies.forAccount(act.target.id);
      if (!policy.mfaExemption.allowed) throw new AppError('ADMIN_ACTION_NOT_ALLOWED');
      if (hours > policy.mfaExemption.maxHours)
        throw new AppError('EXEMPTION_TOO_LONG', {
          details: { maxHours: policy.mfaExemption.maxHours },
        });
      const until = clock.now() + hours * HOUR;
      await done(
        act,
        'admin.mfa_exempted',
        () => d.accounts.setMfaExemptUntil(act.target.id, until, clock.now()),
        `Your administrator turned multi-factor authentication off for your account until ${when(until)}. ` +
          'Until then you sign in with your password alone; after that, your codes are asked again.',
        { until, hours },
      );
      return until;
    },

    /** Ends an exemption early. */
    async endExemption(act: AdminAct): Promise<void> {
      const until = act.target.mfa_exempt_until;
      if (until === null || until <= clock.now()) throw new AppError('NOT_EXEMPT');
      await done(
        act,
        'admin.mfa_exemption_ended',
        () => d.accounts.setMfaExemptUntil(act.target.id, null, clock.now()),
        'Your administrator turned multi-factor authentication back on for your account.',
      );
    },

    /** Clears the lock-out and the failure counters of the account's password and codes (S5). */
    async unlock(act: AdminAct): Promise<void> {
      await done(
        act,
        'admin.unlocked',
        () => d.throttle.unlockAccount(act.target.id, counterSubjects(d.hasher, act.target)),
        'Your administrator unlocked your account. You can sign in again.',
      );
    },

    async endSessions(act: AdminAct): Promise<number> {
      let ended = 0;
      await done(
        act,
        'admin.sessions_ended',
        async () => {
          ended = await d.sessions.endAll(act.target.id);
        },
        'Your administrator signed you out everywhere. Sign in again to continue.',
      );
      return ended;
    },

    /** Deactivated: no sign-in, and every session ends at once. */
    async deactivate(act: AdminAct): Promise<void> {
      if (act.target.state === 'disabled') return;
      await done(
        act,
        'admin.deactivated',
        async () => {
          if (
            !(await d.accounts.setState(act.target.id, act.target.state, 'disabled', clock.now()))
          )
            throw new AppError('USER_CHANGED');
          await d.sessions.endAll(act.target.id);
        },
        'Your administrator deactivated your account. Contact them if you need access again.',
      );
    },

    async reactivate(act: AdminAct): Promise<void> {
      if (act.target.state !== 'disabled') return;
      // Back to where it was: an account with a password is active, one without is invited.
      const to = act.target.password_hash === null ? 'invited' : 'active';
      await done(
        act,
        'admin.reactivated',
        async () => {
          if (!(await d.accounts.setState(act.target.id, 'disabled', to, clock.now())))
            throw new AppError('USER_CHANGED');
        },
        'Your administrator reactivated your account. You can sign in again.',
      );
    },
  };
}

export type AdminActions = ReturnType<typeof createAdminActions>;
