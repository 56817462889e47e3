/**
 * The development outbox: messages are stored in the database and shown at `/dev/outbox` and
 * `GET /api/v1/dev/outbox`. Never used in production (config refuses to start without SMTP).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../store/schema.js';
import type { Channel, Sender } from './sender.js';

let sequence = 0;
/** Sortable ids: creation time, then a per-process sequence, then randomness. */
function outboxId(now: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  return (
    now.toString(36).padStart(9, '0') +
    sequence.toString(36).padStart(4, '0') +
    randomBytes(6).toString('hex')
  );
}

export function createOutboxSender(db: Db, clock: Clock, channel: Channel): Sender {
  return {
    channel,
    provider: 'dev-outbox',
    async send(message) {
      await db
        .insertInto('outbox_messages')
        .values({
          id: outboxId(clock.now()),
          channel: message.channel,
          recipient: message.to,
          subject: message.subject ?? null,
          body: message.text,
          created_at: clock.now(),
        })
        .execute();
    },
  };
}

export interface OutboxEntry {
  id: string;
  channel: Channel;
  to: string;
  subject: string | null;
  text: string;
  createdAt: string;
}

export async function listOutbox(
  db: Db,
  filter: { to?: string; limit: number },
): Promise<OutboxEntry[]> {
  let q = db.selectFrom('outbox_messages').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.to) q = q.where('recipient', '=', filter.to.trim());
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    to: r.recipient,
    subject: r.subject,
    text: r.body,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
