/**
 * The durable outbox (S32), on each dialect: a message is written with the change that causes
 * it (a rolled-back unit leaves none), sent once after it commits, retried with growing waits
 * when the provider fails, given up past its attempts or its code's expiry, never sent by two
 * processes at once (two outboxes on one database, draining together), held sealed (no code in
 * any column) and counted for the metrics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { createSecretBox, derivedKey } from '../../src/crypto/secret-box.js';
import { createOutbox, type Outbox } from '../../src/delivery/outbox.js';
import { createDelivery, type OutgoingMessage, type Sender } from '../../src/delivery/sender.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import type { TestStore } from '../helpers/stores.js';
import { rowsAsText, SECRET_KEY, storeDialects } from '../store/fixtures.js';

const box = createSecretBox([derivedKey(SECRET_KEY)]);
const silent = { warn: () => undefined };
const code = (n: number) => String(100000 + n);
const message = (n: number): OutgoingMessage => ({
  channel: 'email',
  to: `user${n}@example.org`,
  subject: 'Your code',
  text: `Your code is ${code(n)}.`,
});

/** A provider that records what it was given, and fails while `failing` is set. */
function recorder() {
  const sent: OutgoingMessage[] = [];
  const state = { failing: false, calls: 0 };
  const sender: Sender = {
    channel: 'email',
    provider: 'test',
    async send(m) {
      state.calls += 1;
      // A real provider takes a moment: concurrent drains overlap for real.
      await new Promise((resolve) => setImmediate(resolve));
      if (state.failing) throw new Error('451 try again later');
      sent.push(m);
    },
  };
  return { sent, state, sender };
}

describe.each(storeDialects)('the outbox on %s', (name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let provider: ReturnType<typeof recorder>;
  let outbox: Outbox;
  const events = { sent: 0, failed: 0, gaveUp: 0 };

  const outboxOn = (store: Store, p = provider) =>
    createOutbox({
      store,
      clock,
      box,
      delivery: createDelivery([p.sender]),
      leaseMs: 30_000,
      log: silent,
      events: {
        sent: () => void (events.sent += 1),
        failed: (_c, gaveUp) => void (gaveUp ? (events.gaveUp += 1) : (events.failed += 1)),
      },
    });
  const rows = () => t.store.db.selectFrom('outgoing_messages').selectAll().execute();

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    provider = recorder();
    outbox = outboxOn(t.store);
    Object.assign(events, { sent: 0, failed: 0, gaveUp: 0 });
  });
  afterEach(async () => {
    await outbox.stop();
    await t.close();
  });

  it('sends a committed message once, after its unit commits, and deletes it', async () => {
    await t.store.units.transaction(async () => {
      await outbox.enqueue(message(1));
      await new Promise((resolve) => setImmediate(resolve));
      // Not committed yet: it is not sent.
      expect(provider.state.calls).toBe(0);
    });
    await outbox.flush();
    expect(provider.sent).toEqual([message(1)]);
    expect(await rows()).toEqual([]);
    await outbox.flush();
    expect(provider.sent).toHaveLength(1);
    expect(events.sent).toBe(1);
  });

  it('writes nothing when the change that causes the message rolls back', async () => {
    await expect(
      t.store.units.transaction(async () => {
        await outbox.enqueue(message(2));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await outbox.flush();
    expect(await rows()).toEqual([]);
    expect(provider.sent).toEqual([]);
  });

  it('keeps the text sealed: no code in any column while it waits', async () => {
    provider.state.failing = true;
    await outbox.enqueue(message(3));
    await outbox.flush();
    const [row, ...rest] = await rows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ recipient: 'user3@example.org', attempts: 1 });
    for (const text of await rowsAsText(t.store.db, 'outgoing_messages')) {
      expect(text).not.toContain(code(3));
      expect(text).not.toContain('Your code');
    }
  });

  it('retries a failed send with growing waits, then sends it once the provider is back', async () => {
    provider.state.failing = true;
    await outbox.enqueue(message(4));
    await outbox.flush();
    const first = (await rows())[0]!;
    expect(first.attempts).toBe(1);
    expect(first.last_error).toBe('Delivery by email through test failed');
    const firstWait = first.next_attempt_at - clock.now();
    expect(firstWait).toBeGreaterThanOrEqual(1_600);
    expect(firstWait).toBeLessThanOrEqual(2_400);

    // Not due yet: nothing is tried.
    await outbox.flush();
    expect(provider.state.calls).toBe(1);

    clock.advance(firstWait);
    await outbox.flush();
    const second = (await rows())[0]!;
    expect(second.attempts).toBe(2);
    expect(second.next_attempt_at - clock.now()).toBeGreaterThanOrEqual(3_200);

    provider.state.failing = false;
    clock.advance(second.next_attempt_at - clock.now());
    await outbox.flush();
    expect(provider.sent).toEqual([message(4)]);
    expect(await rows()).toEqual([]);
    expect(events).toMatchObject({ sent: 1, failed: 2, gaveUp: 0 });
  });

  it("gives a code's message up once its code has expired, and counts it", async () => {
    provider.state.failing = true;
    await outbox.enqueue(message(5), { notAfter: clock.now() + 1_000 });
    await outbox.flush();
    // The next try would come after the code's expiry: given up now.
    const [row] = await rows();
    expect(row?.failed_at).toBe(clock.now());
    expect(await outbox.stats()).toEqual({ queued: 0, failed: 1, oldestAgeSeconds: 0 });
    clock.advance(60_000);
    provider.state.failing = false;
    await outbox.flush();
    expect(provider.sent).toEqual([]);
    expect(events.gaveUp).toBe(1);
  });

  it('gives a notice up after ten failed attempts', async () => {
    provider.state.failing = true;
    await outbox.enqueue(message(6));
    for (let i = 0; i < 12; i++) {
      await outbox.flush();
      clock.advance(11 * 60_000);
    }
    expect(provider.state.calls).toBe(10);
    expect((await rows())[0]?.failed_at).not.toBeNull();
  });

  it('reports what waits and for how long', async () => {
    provider.state.failing = true;
    await outbox.enqueue(message(7));
    await outbox.enqueue(message(8));
    clock.advance(90_000);
    expect(await outbox.stats()).toEqual({ queued: 2, failed: 0, oldestAgeSeconds: 90 });
  });

  it('sends a waited-for code before answering, and drops it when the provider fails', async () => {
    await outbox.sendNow(message(9));
    expect(provider.sent).toEqual([message(9)]);
    provider.state.failing = true;
    await expect(outbox.sendNow(message(10))).rejects.toThrow(/Delivery by email/);
    expect(await rows()).toEqual([]);
    await outbox.flush();
    expect(provider.sent).toHaveLength(1);
  });

  it('takes a message claimed by a process that died once its claim has run out', async () => {
    // A process claimed it and died before sending: the row is claimed, unsent.
    await t.store.db
      .insertInto('outgoing_messages')
      .values({
        id: 'orphan',
        channel: 'email',
        recipient: 'user11@example.org',
        ...((s) => ({ key_id: s.keyId, sealed: s.ciphertext }))(
          box.seal(Buffer.from(JSON.stringify({ subject: 'Hi', text: 'Orphaned' })), 'orphan'),
        ),
        created_at: clock.now(),
        not_after: clock.now() + 3_600_000,
        next_attempt_at: clock.now(),
        attempts: 1,
        claimed_until: clock.now() + 30_000,
      })
      .execute();
    await outbox.flush();
    expect(provider.sent).toEqual([]);
    clock.advance(30_000);
    await outbox.flush();
    expect(provider.sent.map((m) => m.text)).toEqual(['Orphaned']);
  });

  it('never sends a message twice when two processes drain at once', async () => {
    // A second process: its own connection pool (PostgreSQL) or handle (SQLite file-less: shared).
    const second =
      name === 'postgres' && t.config.kind === 'postgres' ? openStore(t.config) : undefined;
    const other = outboxOn(second ?? t.store);
    provider.state.failing = true;
    for (let i = 0; i < 30; i++) await outbox.enqueue(message(100 + i));
    await outbox.flush();
    provider.state.failing = false;
    clock.advance(60_000);
    try {
      await Promise.all([outbox.flush(), other.flush(), outbox.flush(), other.flush()]);
      const texts = provider.sent.map((m) => m.text).sort();
      expect(texts).toHaveLength(30);
      expect(new Set(texts).size).toBe(30);
      expect(await rows()).toEqual([]);
    } finally {
      await other.stop();
      await second?.close();
    }
  });
});
