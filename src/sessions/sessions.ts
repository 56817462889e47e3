/**
 * Sessions (S16, S17, S19). The cookie holds a 256-bit random token; the database holds only
 * its keyed hash. The session check is one indexed lookup (token_hash → session ⋈ account) and,
 * at most once a minute per session, one update of last_seen_at for the idle timeout.
 */
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, randomToken } from '../crypto/random.js';
import type { RequestOrigin } from '../audit/audit.js';
import { sql } from 'kysely';
import type { Policy } from '../policy/presets.js';
import { capped } from '../policy/tighten.js';
import type { Account, Db, Session } from '../store/schema.js';
import { AppError } from '../errors/app-error.js';
import { aalOf } from './assurance.js';
import { sessionAndAccountOf, sessionLookup } from './lookup.js';

const DOMAIN = 'session-token';
/** Idle-timer writes are batched to one per minute, so the hot path rarely writes. */
const TOUCH_INTERVAL_MS = 60_000;

export type Aal = 'aal1' | 'aal2';
/** RFC 8176 method names: `pwd`, `otp`, `sms`, `tel`, `hwk`, `swk`, `user`, `mfa`, … */
export interface AmrEntry {
  method: string;
  at: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export interface AuthenticatedSession {
  session: Session;
  account: Account;
  amr: AmrEntry[];
  idleExpiresAt: number;
}

export interface SessionService {
  create(input: {
    accountId: string;
    aal: Aal;
    amr: AmrEntry[];
    origin: RequestOrigin;
    /** The account's policy's limits (shorter than the deployment's, or null for those). */
    policyLimits?: Policy['sessionLimits'];
  }): Promise<{ token: string; session: Session }>;
  authenticate(token: string): Promise<AuthenticatedSession | undefined>;
  /**
   * A new token for the same session (S17: at every step-up or assurance change); the old token
   * stops working at once. Records the step-up time, appends the methods used to `amr`, and sets
   * the level to what the methods now prove together (`aalOf`: a second factor raises it).
   */
  rotate(
    session: Session,
    change: { stepUpAt: number; amr: AmrEntry[] },
  ): Promise<{ token: string; session: Session }>;
  list(accountId: string): Promise<Session[]>;
  /** Ends one of the account's sessions; false when there is no such session for that account. */
  end(accountId: string, sessionId: string): Promise<boolean>;
  endOthers(accountId: string, keepSessionId: string): Promise<number>;
  endAll(accountId: string): Promise<number>;
}

export function createSessionService(
  db: Db,
  clock: Clock,
  hasher: KeyedHasher,
  limits: SessionLimits,
): SessionService {
  const find = sessionLookup(db);

  return {
    async create({ accountId, aal, amr, origin, policyLimits }) {
      const token = randomToken();
      const now = clock.now();
      const minutes = policyLimits?.idleMinutes ?? null;
      const hours = policyLimits?.absoluteHours ?? null;
      const idleMs = minutes === null ? null : capped(minutes * 60_000, limits.idleMs);
      const absoluteMs = capped(hours === null ? null : hours * 3_600_000, limits.absoluteMs);
      const session: Session = {
        id: newId(),
        token_hash: hasher.hash(DOMAIN, token),
        account_id: accountId,
        aal,
        amr: JSON.stringify(amr),
        created_at: now,
        last_seen_at: now,
        expires_at: now + absoluteMs,
        ip: origin.ip,
        user_agent: origin.userAgent?.slice(0, 512) ?? null,
        step_up_at: null,
        idle_ms: idleMs,
      };
      await db.insertInto('sessions').values(session).execute();
      return { token, session };
    },

    async authenticate(token) {
      if (token.length < 20 || token.length > 100) return undefined;
      const now = clock.now();
      const row = await find(hasher.hash(DOMAIN, token));
      if (!row) return undefined;
      const idleMs = row.idle_ms ?? limits.idleMs;
      const idleExpiresAt = row.last_seen_at + idleMs;
      if (row.expires_at <= now || idleExpiresAt <= now || row.state !== 'active') return undefined;
      const { session, account } = sessionAndAccountOf(row);
      if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: now })
          .where('id', '=', row.s_id)
          .execute();
        session.last_seen_at = now;
      }
      return {
        session,
        account,
        amr: JSON.parse(row.amr) as AmrEntry[],
        idleExpiresAt: session.last_seen_at + idleMs,
      };
    },

    async rotate(session, change) {
      const token = randomToken();
      const amr = [...(JSON.parse(session.amr) as AmrEntry[]), ...change.amr];
      const next: Session = {
        ...session,
        token_hash: hasher.hash(DOMAIN, token),
        aal: aalOf(amr),
        amr: JSON.stringify(amr),
        step_up_at: change.stepUpAt,
        last_seen_at: clock.now(),
      };
      const r = await db
        .updateTable('sessions')
        .set({
          token_hash: next.token_hash,
          aal: next.aal,
          amr: next.amr,
          step_up_at: next.step_up_at,
          last_seen_at: next.last_seen_at,
        })
        .where('id', '=', session.id)
        .where('token_hash', '=', session.token_hash)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new AppError('UNAUTHENTICATED');
      return { token, session: next };
    },

    list: (accountId) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('expires_at', '>', clock.now())
        .where(sql<number>`last_seen_at + coalesce(idle_ms, ${limits.idleMs})`, '>', clock.now())
        .orderBy('last_seen_at', 'desc')
        .execute(),

    async end(accountId, sessionId) {
      const r = await db
        .deleteFrom('sessions')
        .where('id', '=', sessionId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    async endOthers(accountId, keepSessionId) {
      const r = await db
        .deleteFrom('sessions')
        .where('account_id', '=', accountId)
        .where('id', '!=', keepSessionId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async endAll(accountId) {
      const r = await db
        .deleteFrom('sessions')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
