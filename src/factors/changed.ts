/**
 * After a sign-in method changed: the audit event and the email notice of S21 (no secret in it).
 */
import type { AuditAction, AuditLog, RequestOrigin } from '../audit/audit.js';
import { securityNotice } from '../delivery/messages.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import type { Account } from '../store/schema.js';

export interface FactorChangedDeps {
  audit: AuditLog;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export async function factorChanged(
  d: FactorChangedDeps,
  account: Pick<Account, 'id' | 'email'>,
  change: { action: AuditAction; notice: string },
  origin: RequestOrigin,
): Promise<void> {
  await d.audit.record({
    action: change.action,
    actorId: account.id,
    targetId: account.id,
    origin,
  });
  await d.notify(securityNotice(d.portalName, account.email, change.notice));
}
