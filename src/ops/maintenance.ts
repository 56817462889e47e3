/**
 * Housekeeping: deletes rows that can never be used again (ended flows, spent or expired codes,
 * expired sessions and the relying parties' records of them, old development-outbox messages, outgoing messages given up a week ago, send
 * counters of past windows). The audit log is never touched; nor is a message still to be sent.
 * server.ts runs it every 10 minutes; it is safe to run from several processes at once.
 */
import { sql } from 'kysely';
import { purgeRateCounters } from '../store/counters.js';
import type { Db } from '../store/schema.js';

const DAY = 24 * 3_600_000;

export interface PurgeCounts {
  flows: number;
  codes: number;
  sessions: number;
  outbox: number;
  givenUp: number;
  counters: number;
  logins: number;
}

export async function purgeExpired(
  db: Db,
  now: number,
  sessionIdleMs: number,
): Promise<PurgeCounts> {
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const flows = await db.deleteFrom('flows').where('expires_at', '<', now).executeTakeFirst();
  const codes = await db
    .deleteFrom('one_time_codes')
    .where('expires_at', '<', now - DAY)
    .executeTakeFirst();
  const sessions = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', now),
        eb(sql<number>`last_seen_at + coalesce(idle_ms, ${sessionIdleMs})`, '<', now),
      ]),
    )
    .executeTakeFirst();
  const outbox = await db
    .deleteFrom('outbox_messages')
    .where('created_at', '<', now - 7 * DAY)
    .executeTakeFirst();
  const givenUp = await db
    .deleteFrom('outgoing_messages')
    .where('failed_at', '<', now - 7 * DAY)
    .executeTakeFirst();
  const counters = await purgeRateCounters(db, now);
  // A relying party's record of a session past its end (one ended early is told and gone).
  const logins = await db
    .deleteFrom('oidc_logins')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return {
    flows: count(flows),
    codes: count(codes),
    sessions: count(sessions),
    outbox: count(outbox),
    givenUp: count(givenUp),
    counters,
    logins: count(logins),
  };
}
