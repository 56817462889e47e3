/**
 * Sessions ending before their time — signed out, ended by the user or an administrator, ended by
 * a deactivation, a new password or an administrator's factor reset — are told to whoever
 * listens (back-channel logout: `oidc/backchannel.ts`). A listener hears the account once the
 * ending has committed (never for a change rolled back) and finds what ended by what is gone.
 */
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { SessionService } from './sessions.js';

export type EndingListener = (accountId: string) => void;

export interface SessionEndings {
  /** Adds a listener; the function returned removes it. */
  listen(listener: EndingListener): () => void;
}

export function withEndings(
  sessions: SessionService,
  units: UnitOfWork,
): { sessions: SessionService; endings: SessionEndings } {
  const listeners = new Set<EndingListener>();
  const ended = (accountId: string) =>
    units.afterCommit(() => {
      for (const listener of listeners) listener(accountId);
    });
  return {
    sessions: {
      ...sessions,
      async end(accountId, sessionId) {
        const done = await sessions.end(accountId, sessionId);
        if (done) ended(accountId);
        return done;
      },
      async endOthers(accountId, keepSessionId) {
        const count = await sessions.endOthers(accountId, keepSessionId);
        if (count > 0) ended(accountId);
        return count;
      },
      async endAll(accountId) {
        const count = await sessions.endAll(accountId);
        if (count > 0) ended(accountId);
        return count;
      },
    },
    endings: {
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}
