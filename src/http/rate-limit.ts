/**
 * Per-IP limits on the public routes that take a password, a secret or send a message (S33), on
 * top of the per-account limits (S5, S10), with `@fastify/rate-limit`:
 * - the client IP is `request.ip`: the socket's address, or `X-Forwarded-For`'s client only with
 *   `TRUST_PROXY` (a spoofed header changes nothing otherwise);
 * - four groups, each one bucket per IP across its routes: `signIn` (a password or a passkey
 *   answered), `signUp`, `public` (passkey options, invitations, every password-reset step) and
 *   `token` (the OpenID Connect token endpoint);
 * - counted in the shared counters (`store/counters.ts`: Redis with `REDIS_URL`, else the
 *   database on PostgreSQL, else this process's memory on SQLite), fixed windows, keyed by a keyed
 *   hash of the IP (no address is stored); counted before the route runs, so concurrent requests
 *   cannot all slip under;
 * - over a limit: `429 TOO_MANY_REQUESTS` with `Retry-After`, in the registry's shape; the
 *   counters unreachable: `503 REDIS_UNAVAILABLE` / `DATABASE_UNAVAILABLE`, never let through.
 */
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.js';
import { rateLimited } from '../errors/app-error.js';
import type { Services } from '../services.js';
import { createMemoryCounterStore } from '../store/counters.js';

const MINUTE = 60_000;

export type IpLimitGroup = 'signIn' | 'signUp' | 'public' | 'token';

/** The `config.rateLimit` of a route in `group`. */
export function ipLimit(config: Config, group: IpLimitGroup): RateLimitOptions {
  const { signInPerMinute, signUpPerHour, publicPerMinute, tokenPerMinute } = config.rateLimits;
  const limits: Record<IpLimitGroup, { max: number; timeWindow: number }> = {
    signIn: { max: signInPerMinute, timeWindow: MINUTE },
    signUp: { max: signUpPerHour, timeWindow: 60 * MINUTE },
    public: { max: publicPerMinute, timeWindow: MINUTE },
    token: { max: tokenPerMinute, timeWindow: MINUTE },
  };
  return { ...limits[group], groupId: group };
}

type Incr = (err: Error | null, result?: { current: number; ttl: number }) => void;

export async function registerRateLimits(app: FastifyInstance, s: Services): Promise<void> {
  const { clock, hasher } = s;
  // On SQLite one process serves: its memory is shared enough, and costs no write per request.
  const counters = s.store.kind === 'sqlite' && !s.redis ? createMemoryCounterStore() : s.counters;

  /** `@fastify/rate-limit`'s store interface over the shared counters; one child per group. */
  class CounterRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = 'ip:',
      private readonly windowMs = MINUTE,
    ) {}
    incr(key: string, callback: Incr, timeWindow?: number): void {
      const now = clock.now();
      const windowMs = timeWindow ?? this.windowMs;
      counters.hit(this.prefix + hasher.hash('ip-limit', key), windowMs, now).then(
        ({ count, resetAt }) => callback(null, { current: count, ttl: resetAt - now }),
        (err: Error) => callback(err),
      );
    }
    // The plugin's types name the route's options; it passes the merged limit options too.
    child(options: object): CounterRateLimitStore {
      const route = options as { groupId?: string; timeWindow?: unknown };
      const windowMs = typeof route.timeWindow === 'number' ? route.timeWindow : MINUTE;
      return new CounterRateLimitStore(undefined, `ip:${route.groupId ?? 'route'}:`, windowMs);
    }
  }

  await app.register(rateLimit, {
    global: false,
    hook: 'onRequest',
    store: CounterRateLimitStore,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => rateLimited('TOO_MANY_REQUESTS', context.ttl),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    addHeaders: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
      'retry-after': true,
    },
  });
}
