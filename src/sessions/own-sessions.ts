/**
 * A user ending their own sessions (sign out, one session, every other one): each ending and its
 * audit event commit together (S25), so no session ends unrecorded and no record claims an ending
 * that did not happen.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import { AppError } from '../errors/app-error.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { SessionService } from './sessions.js';

export interface OwnSessionsDeps {
  sessions: SessionService;
  audit: AuditLog;
  units: UnitOfWork;
}

export interface OwnSessions {
  signOut(accountId: string, sessionId: string, origin: RequestOrigin): Promise<void>;
  /** Throws SESSION_NOT_FOUND for a session that is not the user's, or already ended. */
  endOne(accountId: string, sessionId: string, origin: RequestOrigin): Promise<void>;
  /** How many ended. */
  endOthers(accountId: string, keepSessionId: string, origin: RequestOrigin): Promise<number>;
}

export function createOwnSessions(d: OwnSessionsDeps): OwnSessions {
  const record = (
    accountId: string,
    action: 'session.signed_out' | 'session.ended',
    origin: RequestOrigin,
    details?: Record<string, string | number>,
  ) =>
    d.audit.record({
      action,
      actorId: accountId,
      targetId: accountId,
      origin,
      ...(details ? { details } : {}),
    });

  return {
    signOut: (accountId, sessionId, origin) =>
      d.units.transaction(async () => {
        await d.sessions.end(accountId, sessionId);
        await record(accountId, 'session.signed_out', origin);
      }),
    endOne: (accountId, sessionId, origin) =>
      d.units.transaction(async () => {
        if (!(await d.sessions.end(accountId, sessionId))) throw new AppError('SESSION_NOT_FOUND');
        await record(accountId, 'session.ended', origin, { sessionId });
      }),
    endOthers: (accountId, keepSessionId, origin) =>
      d.units.transaction(async () => {
        const ended = await d.sessions.endOthers(accountId, keepSessionId);
        await record(accountId, 'session.ended', origin, { others: ended });
        return ended;
      }),
  };
}
