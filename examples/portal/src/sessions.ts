/**
 * The portal's own sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure on https),
 * the session itself in memory (enough for an example; a real portal keeps it in its database or
 * cache). Tokens stay here, on the server: never in the cookie, a URL or a log line.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IDToken } from 'openid-client';

/** A sign-in sent to Portcullis and not yet back: what the callback must find again. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The acr asked for with `acr_values` (a step-up), if any. */
  acrAsked?: string;
  /** Where to go once signed in. */
  returnTo: string;
}

export interface SignedIn {
  claims: IDToken;
  /** From userinfo (scope `email`): Portcullis puts scope claims there, not in the ID token. */
  email?: string;
  idToken: string;
  accessToken: string;
}

export interface PortalSession {
  id: string;
  expiresAt: number;
  pending?: PendingSignIn;
  user?: SignedIn;
}

const COOKIE = 'portal_session';
const LIFETIME_MS = 8 * 60 * 60 * 1000;

export function createSessionStore(options: { secure: boolean }) {
  const sessions = new Map<string, PortalSession>();

  const cookieOf = (id: string, maxAge: number) =>
    `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}` +
    (options.secure ? '; Secure' : '');

  function idFrom(req: IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === COOKIE && value) return value;
    }
    return undefined;
  }

  return {
    /** The request's live session, if any. */
    find(req: IncomingMessage): PortalSession | undefined {
      const id = idFrom(req);
      const session = id === undefined ? undefined : sessions.get(id);
      if (session && session.expiresAt <= Date.now()) {
        sessions.delete(session.id);
        return undefined;
      }
      return session;
    },

    /**
     * A new session (under a new id, carrying `from`'s fields): made at the start of every
     * sign-in and again when it completes, so an id seen before signing in never holds a user.
     */
    start(res: ServerResponse, from?: PortalSession): PortalSession {
      if (from) sessions.delete(from.id);
      const session: PortalSession = {
        ...from,
        id: randomBytes(32).toString('base64url'),
        expiresAt: Date.now() + LIFETIME_MS,
      };
      sessions.set(session.id, session);
      res.setHeader('set-cookie', cookieOf(session.id, LIFETIME_MS / 1000));
      return session;
    },

    /** Ends every session signed in with Portcullis's session `sid` (back-channel logout). */
    endSignedIn(sid: string): number {
      let ended = 0;
      for (const session of sessions.values())
        if (session.user?.claims.sid === sid) ended += Number(sessions.delete(session.id));
      return ended;
    },

    end(res: ServerResponse, session: PortalSession | undefined): void {
      if (session) sessions.delete(session.id);
      res.setHeader('set-cookie', cookieOf('', 0));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
