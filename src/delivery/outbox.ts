/**
 * The durable outbox (S32): every email, text and call goes through `outgoing_messages`.
 * - `enqueue` writes the message in the running unit of work, so it commits with the change that
 *   causes it or not at all; once committed, this process sends it at once, after the answer:
 *   nothing about the send (how long it takes, whether it fails) reaches the request (S6).
 * - `sendNow` is for a code the user is waiting for on a page, once the password or the session
 *   has said who they are: the row is written already claimed by this process and sent before the
 *   answer, so a failure can offer another channel. A failed one is dropped (the caller voids its
 *   code). Not for use inside a unit of work.
 * - Any process sends what is due (at start, every `pollMs`, and when it enqueues). A claim is one
 *   guarded update (`claimed_until <= now`), so no two processes send a message at once; a process
 *   that dies mid-send leaves its claim to run out (`leaseMs`, longer than any send may take), and
 *   another sends it then. Sent messages are deleted.
 * - A failed send is logged (no recipient, no text) and retried with exponential backoff, until
 *   `MAX_ATTEMPTS` or the message's `not_after` (a code's expiry; a notice's: a day).
 * - Subject and text are sealed with the secret box (a message may hold a code), bound to the row.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Store } from '../store/dialect.js';
import type { OutgoingMessagesTable } from '../store/schema.js';
import type { Channel, Delivery, OutgoingMessage } from './sender.js';

const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 2_000;
const LONGEST_RETRY_MS = 10 * 60_000;
const NOTICE_LIFETIME_MS = 24 * 3_600_000;
const BATCH = 20;

export interface OutboxStats {
  /** Waiting to be sent (including those backing off after a failure). */
  queued: number;
  /** Given up. */
  failed: number;
  /** Age of the oldest message still waiting, in seconds (0 when none). */
  oldestAgeSeconds: number;
}

export interface OutboxEvents {
  sent(channel: Channel): void;
  /** One attempt failed; `gaveUp` when it will not be tried again. */
  failed(channel: Channel, gaveUp: boolean): void;
}

export interface Outbox {
  enqueue(message: OutgoingMessage, options?: { notAfter?: number }): Promise<void>;
  sendNow(message: OutgoingMessage, options?: { notAfter?: number }): Promise<void>;
  /** Sends everything due now and waits for it (the dev outbox page, tests); never in a unit. */
  flush(): Promise<void>;
  /** Starts sending what is due every `pollMs` (server processes). */
  start(): void;
  /** Stops polling and waits for the sends in flight. */
  stop(): Promise<void>;
  stats(): Promise<OutboxStats>;
}

export interface OutboxDeps {
  store: Store;
  clock: Clock;
  box: SecretBox;
  delivery: Delivery;
  /** How long a claim holds: longer than any one send may take. */
  leaseMs: number;
  pollMs?: number;
  log: { warn(obj: object, msg: string): void };
  events?: OutboxEvents;
}

type Row = Pick<OutgoingMessagesTable, 'id' | 'channel' | 'recipient' | 'key_id' | 'sealed'> & {
  not_after: number;
  attempts: number;
};

let sequence = 0;
/** Sortable ids: creation time, a per-process sequence, then randomness. */
function messageId(now: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `${now.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}

/** 2 s, 4 s, 8 s … up to 10 minutes, each ±20 % so that processes do not retry in step. */
function backoffMs(attempts: number): number {
  const base = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function createOutbox(d: OutboxDeps): Outbox {
  const { db, units } = d.store;
  const inFlight = new Set<Promise<void>>();
  const soon = new Set<string>();
  let scheduled = false;
  let poller: NodeJS.Timeout | undefined;
  let pollFailing = false;

  function row(message: OutgoingMessage, now: number, notAfter: number | undefined) {
    const id = messageId(now);
    const sealed = d.box.seal(
      Buffer.from(JSON.stringify({ subject: message.subject ?? null, text: message.text })),
      id,
    );
    return {
      id,
      channel: message.channel,
      recipient: message.to,
      key_id: sealed.keyId,
      sealed: sealed.ciphertext,
      created_at: now,
      not_after: notAfter ?? now + NOTICE_LIFETIME_MS,
      next_attempt_at: now,
      last_error: null,
      failed_at: null,
    };
  }

  function open(r: Row): OutgoingMessage {
    const { subject, text } = JSON.parse(
      d.box.open({ keyId: r.key_id, ciphertext: r.sealed }, r.id).toString('utf8'),
    ) as { subject: string | null; text: string };
    return { channel: r.channel, to: r.recipient, ...(subject ? { subject } : {}), text };
  }

  /** Takes the message for this process, or answers undefined if it is not due or not free. */
  async function claim(id: string): Promise<Row | undefined> {
    const now = d.clock.now();
    return db
      .updateTable('outgoing_messages')
      .set({ claimed_until: now + d.leaseMs, attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .where('failed_at', 'is', null)
      .where('claimed_until', '<=', now)
      .where('next_attempt_at', '<=', now)
      .returning(['id', 'channel', 'recipient', 'key_id', 'sealed', 'not_after', 'attempts'])
      .executeTakeFirst();
  }

  async function attempt(r: Row): Promise<void> {
    try {
      if (d.clock.now() > r.not_after) throw new Error('expired before it could be sent');
      await withTimeout(d.delivery.send(open(r)), d.leaseMs / 2);
    } catch (err) {
      await failed(r, err);
      return;
    }
    d.events?.sent(r.channel);
    await db.deleteFrom('outgoing_messages').where('id', '=', r.id).execute();
  }

  async function failed(r: Row, err: unknown): Promise<void> {
    const now = d.clock.now();
    const retryAt = now + backoffMs(r.attempts);
    const gaveUp = r.attempts >= MAX_ATTEMPTS || retryAt > r.not_after;
    d.events?.failed(r.channel, gaveUp);
    d.log.warn(
      { err, message: r.id, channel: r.channel, attempts: r.attempts, gaveUp },
      gaveUp ? 'message could not be sent: given up' : 'message could not be sent: will retry',
    );
    await db
      .updateTable('outgoing_messages')
      .set({
        last_error: err instanceof Error ? err.message.slice(0, 200) : 'unknown',
        ...(gaveUp ? { failed_at: now } : { next_attempt_at: retryAt, claimed_until: 0 }),
      })
      .where('id', '=', r.id)
      .execute();
  }

  /** Claims and sends each id; errors (the database gone) are logged, never thrown. */
  function dispatch(ids: string[]): Promise<void> {
    const run = Promise.all(
      ids.map(async (id) => {
        const claimed = await claim(id);
        if (claimed) await attempt(claimed);
      }),
    ).then(
      () => undefined,
      (err: unknown) => d.log.warn({ err }, 'outbox could not be read: will retry'),
    );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  }

  function sendSoon(id: string): void {
    soon.add(id);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const ids = [...soon];
      soon.clear();
      void dispatch(ids);
    });
  }

  /** One round: everything due now, a batch at a time. */
  async function sweep(): Promise<void> {
    for (;;) {
      const now = d.clock.now();
      const due = await db
        .selectFrom('outgoing_messages')
        .select('id')
        .where('failed_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .where('claimed_until', '<=', now)
        .orderBy('next_attempt_at')
        .limit(BATCH)
        .execute();
      await dispatch(due.map((r) => r.id));
      if (due.length < BATCH) return;
    }
  }

  return {
    async enqueue(message, options) {
      const values = row(message, d.clock.now(), options?.notAfter);
      await db.insertInto('outgoing_messages').values(values).execute();
      units.afterCommit(() => sendSoon(values.id));
    },

    async sendNow(message, options) {
      const now = d.clock.now();
      const values = row(message, now, options?.notAfter);
      await db
        .insertInto('outgoing_messages')
        .values({ ...values, attempts: 1, claimed_until: now + d.leaseMs })
        .execute();
      try {
        await withTimeout(d.delivery.send(message), d.leaseMs / 2);
      } catch (err) {
        d.events?.failed(message.channel, true);
        await db.deleteFrom('outgoing_messages').where('id', '=', values.id).execute();
        throw err;
      }
      d.events?.sent(message.channel);
      await db.deleteFrom('outgoing_messages').where('id', '=', values.id).execute();
    },

    flush: () =>
      units.outside(async () => {
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        await sweep();
        while (inFlight.size > 0) await Promise.all([...inFlight]);
      }),

    start() {
      if (poller) return;
      const poll = () =>
        sweep().then(
          () => {
            pollFailing = false;
          },
          (err: unknown) => {
            if (!pollFailing) d.log.warn({ err }, 'outbox could not be read: will retry');
            pollFailing = true;
          },
        );
      void poll();
      poller = setInterval(() => void poll(), d.pollMs ?? 2_000);
      poller.unref();
    },

    async stop() {
      if (poller) clearInterval(poller);
      poller = undefined;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },

    async stats() {
      const [waiting, failed] = await Promise.all([
        db
          .selectFrom('outgoing_messages')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
          .where('failed_at', 'is', null)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('outgoing_messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('failed_at', 'is not', null)
          .executeTakeFirstOrThrow(),
      ]);
      const oldest = waiting.oldest === null ? null : Number(waiting.oldest);
      return {
        queued: Number(waiting.n),
        failed: Number(failed.n),
        oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (d.clock.now() - oldest) / 1000),
      };
    },
  };
}

/** A send that takes longer than `ms` counts as failed (its claim must outlast it). */
function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
