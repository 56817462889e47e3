/**
 * "Recent security activity" on the account page (issue 6): the account's own audit events that a
 * user should recognise — sign-ins (and failed ones), changes to how they sign in, resets — in
 * plain words, newest first. One indexed read (`audit_events (target_id, at)`); no secret is
 * stored in an event, so none can show here.
 */
import type { AuditAction } from '../audit/audit.js';
import type { Db } from '../store/schema.js';

const described: Partial<Record<AuditAction, string>> = {
  'sign_in.succeeded': 'Signed in',
  'sign_in.failed': 'A sign-in failed',
  'sign_in.locked': 'Sign-in locked after too many failed attempts',
  'account.email_verified': 'Email address verified',
  'account.password_changed': 'Password changed',
  'account.email_changed': 'Email address changed',
  'password_reset.completed': 'Password reset',
  'step_up.succeeded': 'Identity verified for a change',
  'code.failed': 'A wrong verification code was entered',
  'factor.phone_added': 'Phone number added',
  'factor.phone_changed': 'Phone number changed',
  'factor.phone_removed': 'Phone number removed',
  'factor.totp_added': 'Authenticator app added',
  'factor.totp_replaced': 'Authenticator app replaced',
  'factor.totp_removed': 'Authenticator app removed',
  'factor.passkey_added': 'Passkey added',
  'factor.passkey_renamed': 'Passkey renamed',
  'factor.passkey_removed': 'Passkey removed',
  'factor.passkey_flagged': 'A passkey looked cloned and was flagged',
  'recovery_code.issued': 'New recovery code created',
  'recovery_code.used': 'Recovery code used',
  'session.ended': 'A session was ended',
  'admin.mfa_exempted': 'Multi-factor authentication turned off for a while by an administrator',
  'admin.mfa_exemption_ended': 'Multi-factor authentication turned back on by an administrator',
  'admin.unlocked': 'Unlocked by an administrator',
  'admin.sessions_ended': 'Signed out everywhere by an administrator',
  'admin.deactivated': 'Deactivated by an administrator',
  'admin.reactivated': 'Reactivated by an administrator',
  'admin.phone_set': 'New phone number set by an administrator',
  'admin.factor_reset': 'A sign-in method removed by an administrator',
  'admin.password_reset_asked': 'Asked by an administrator to set a new password',
  'admin.role_changed': 'Role changed by an administrator',
};

export interface ActivityEntry {
  action: AuditAction;
  description: string;
  at: number;
  ip: string | null;
  userAgent: string | null;
  /** A sign-in's methods (`pwd+otp`), where the event has them. */
  methods: string | null;
}

export async function recentActivity(
  db: Db,
  accountId: string,
  limit = 20,
): Promise<ActivityEntry[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['action', 'at', 'ip', 'user_agent', 'details'])
    .where('target_id', '=', accountId)
    .where('action', 'in', Object.keys(described) as AuditAction[])
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => {
    const action = row.action as AuditAction;
    const details = JSON.parse(row.details) as Record<string, unknown>;
    return {
      action,
      description: described[action] ?? action,
      at: Number(row.at),
      ip: row.ip,
      userAgent: row.user_agent,
      methods: typeof details.methods === 'string' ? details.methods : null,
    };
  });
}
