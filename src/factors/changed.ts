/**
 * A change to a sign-in method, its audit event and the email notice of S21 (no secret in it),
 * in one unit of work: the three commit together or not at all, and the notice is sent from the
 * outbox after the answer (S32).
 */
import type { AuditAction, AuditLog, RequestOrigin } from '../audit/audit.js';
import { securityNotice } from '../delivery/messages.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import type { Account } from '../store/schema.js';
import type { UnitOfWork } from '../store/unit-of-work.js';

export interface FactorChangedDeps {
  audit: AuditLog;
  units: UnitOfWork;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface FactorChange {
  action: AuditAction;
  notice: string;
}

/**
 * Runs `apply` (the change itself), then records and announces what `describe` says of its
 * result; `describe` answers undefined when nothing changed (nothing is recorded then).
 */
export async function changeFactor<T>(
  d: FactorChangedDeps,
  account: Pick<Account, 'id' | 'email'>,
  origin: RequestOrigin,
  apply: () => Promise<T>,
  describe: (result: T) => FactorChange | undefined,
): Promise<T> {
  return d.units.transaction(async () => {
    const result = await apply();
    const change = describe(result);
    if (change) {
      await d.audit.record({
        action: change.action,
        actorId: account.id,
        targetId: account.id,
        origin,
      });
      await d.notify(securityNotice(d.portalName, account.email, change.notice));
    }
    return result;
  });
}
