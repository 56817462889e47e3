/**
 * Append-only audit log (S25): who, what, target, when (UTC epoch ms), where (IP, user agent).
 * `details` must never hold secrets, codes or tokens; callers pass ids and outcomes only.
 * There is no update or delete path: the database refuses both (triggers, migration 0010).
 */
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { Db } from '../store/schema.js';

export type AuditAction =
  | 'account.signed_up'
  | 'account.invited'
  | 'account.invitation_accepted'
  | 'account.email_verified'
  | 'account.password_rehashed'
  | 'sign_in.succeeded'
  | 'sign_in.failed'
  | 'sign_in.locked'
  | 'sign_in.minimum_skipped'
  | 'session.ended'
  | 'session.signed_out'
  | 'code.sent'
  | 'code.failed'
  | 'step_up.succeeded'
  | 'factor.phone_added'
  | 'factor.phone_changed'
  | 'factor.phone_removed'
  | 'factor.totp_added'
  | 'factor.totp_replaced'
  | 'factor.totp_removed'
  | 'factor.passkey_added'
  | 'factor.passkey_renamed'
  | 'factor.passkey_removed'
  | 'factor.passkey_flagged'
  | 'factor.passkey_refused'
  | 'recovery_code.issued'
  | 'recovery_code.saved'
  | 'recovery_code.used'
  | 'account.password_changed'
  | 'account.password_change_failed'
  | 'account.email_changed'
  | 'account.email_change_refused'
  /** Two accounts' addresses read alike under today's rule: neither was given the other's key. */
  | 'account.email_key_conflict'
  | 'password_reset.requested'
  | 'password_reset.completed'
  | 'policy.deployment_set'
  | 'policy.deployment_cleared'
  | 'organisation.created'
  | 'organisation.policy_set'
  | 'organisation.member_added'
  | 'organisation.member_removed'
  | 'admin.mfa_exempted'
  | 'admin.mfa_exemption_ended'
  | 'admin.unlocked'
  | 'admin.sessions_ended'
  | 'admin.deactivated'
  | 'admin.reactivated'
  | 'account.invitation_revoked'
  | 'oidc.client_registered'
  | 'oidc.client_removed'
  | 'admin.phone_set'
  | 'admin.factor_reset'
  | 'admin.password_reset_asked'
  | 'admin.role_changed';

/** The longest reason kept. */
export const REASON_MAX = 500;

export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEvent {
  action: AuditAction;
  actorId?: string | null;
  targetId?: string | null;
  origin?: RequestOrigin;
  details?: Record<string, string | number | boolean | null>;
  /**
   * The organisation the event belongs to (what an organisation administrator may read); when
   * absent, the target account's organisation at the time.
   */
  organisationId?: string | null;
  /** A reason an administrator gave, in their words (cut at 500 characters). */
  reason?: string | null;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

export function createAuditLog(db: Db, clock: Clock): AuditLog {
  return {
    async record(e) {
      const targetId = e.targetId ?? null;
      await db
        .insertInto('audit_events')
        .values(({ selectFrom }) => ({
          id: newId(),
          at: clock.now(),
          actor_id: e.actorId ?? null,
          action: e.action,
          target_id: targetId,
          ip: e.origin?.ip ?? null,
          user_agent: e.origin?.userAgent?.slice(0, 512) ?? null,
          details: JSON.stringify(e.details ?? {}),
          // Unless said, the target's organisation, read in the same statement (one INSERT: the
          // sign-in path pays nothing more), so an organisation administrator sees their members'.
          organisation_id:
            e.organisationId !== undefined || targetId === null
              ? (e.organisationId ?? null)
              : selectFrom('accounts').select('organisation_id').where('id', '=', targetId),
          reason: e.reason?.slice(0, REASON_MAX) ?? null,
        }))
        .execute();
    },
  };
}
