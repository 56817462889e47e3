/**
 * Delivery, wired: the senders (SMTP, Twilio, the development outbox), the durable outbox and
 * `notify`, the counters shared by every process (Redis where it is set, else the database) and
 * the spend guard on texts and calls. Closers run outbox first, then the providers.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { createOutboxSender, listOutbox, type OutboxEntry } from '../delivery/dev-outbox.js';
import { createOutbox, type Outbox, type OutboxEvents } from '../delivery/outbox.js';
import {
  createDelivery,
  type Delivery,
  type OutgoingMessage,
  type Sender,
} from '../delivery/sender.js';
import { createSmtpSender } from '../delivery/smtp.js';
import { createSpendGuard, type SpendGuard } from '../delivery/spend-guard.js';
import { createTwilioSenders } from '../delivery/twilio.js';
import {
  createDbCounterStore,
  createRedisCounterStore,
  type CounterStore,
} from '../store/counters.js';
import type { Store } from '../store/dialect.js';
import { openRedis } from '../store/redis.js';
import type { Redis } from 'ioredis';
import type { Logger } from './types.js';

export interface DeliveryWiring {
  delivery: Delivery;
  outbox: Outbox;
  /** Written with the change that causes it (in its unit of work), sent after the answer. */
  notify: (message: OutgoingMessage) => Promise<void>;
  redis: Redis | undefined;
  counters: CounterStore;
  guard: SpendGuard;
  devOutbox: boolean;
  devMessages(filter: { to?: string; limit: number }): Promise<OutboxEntry[]>;
  /** What to close at shutdown, in order. */
  closers: (() => unknown)[];
}

export interface DeliveryInput {
  config: Config;
  store: Store;
  clock: Clock;
  box: SecretBox;
  hasher: KeyedHasher;
  log: Logger;
  senders: Sender[];
  outboxEvents: OutboxEvents | undefined;
}

function senders(
  config: Config,
  store: Store,
  clock: Clock,
  extra: Sender[],
  closers: (() => unknown)[],
): Sender[] {
  const out: Sender[] = [];
  if (config.smtpUrl) {
    const smtp = createSmtpSender(config.smtpUrl, config.mailFrom, config.smtpTimeoutMs);
    closers.push(() => smtp.close());
    out.push(smtp);
  }
  if (config.sms.twilio) {
    const twilio = createTwilioSenders({ ...config.sms.twilio, timeoutMs: config.sms.timeoutMs });
    out.push(twilio.sms, twilio.voice);
  }
  if (config.mode !== 'production') {
    for (const channel of ['email', 'sms', 'voice'] as const) {
      if (!out.some((sender) => sender.channel === channel))
        out.push(createOutboxSender(store.db, clock, channel));
    }
  }
  for (const sender of extra) {
    const i = out.findIndex((existing) => existing.channel === sender.channel);
    if (i >= 0) out.splice(i, 1, sender);
    else out.push(sender);
  }
  return out;
}

export function wireDelivery(input: DeliveryInput): DeliveryWiring {
  const { config, store, clock, box, hasher, log } = input;
  const closers: (() => unknown)[] = [];
  const delivery = createDelivery(senders(config, store, clock, input.senders, closers));
  const outbox = createOutbox({
    store,
    clock,
    box,
    delivery,
    leaseMs: config.outboxLeaseMs,
    log,
    ...(input.outboxEvents ? { events: input.outboxEvents } : {}),
  });
  // First in the list: sends in flight finish before the providers and the database close.
  closers.unshift(() => outbox.stop());
  const notify = (message: OutgoingMessage) => outbox.enqueue(message);

  const redis = config.redisUrl ? openRedis(config.redisUrl, log) : undefined;
  if (redis) closers.push(() => redis.quit().catch(() => redis.disconnect()));
  const counters: CounterStore = redis
    ? createRedisCounterStore(redis)
    : createDbCounterStore(store.db);
  const guard = createSpendGuard(
    counters,
    { ...config.sms.limits, allowedCountries: config.phone.allowedCountries },
    clock,
    log,
    { hashKey: (value) => hasher.hash('send-limit', value) },
  );
  return {
    delivery,
    outbox,
    notify,
    redis,
    counters,
    guard,
    devOutbox: config.mode !== 'production',
    devMessages: (filter) => listOutbox(store.db, filter),
    closers,
  };
}
