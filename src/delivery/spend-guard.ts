/**
 * Spend protection for texts and calls (S10), asked before every provider call. Enforces, in
 * this order:
 * - the country allow-list (`PHONE_COUNTRY_NOT_ALLOWED`; nothing is counted);
 * - per number: `perNumber` sends per 10 minutes;
 * - per prefix (the number less its last four digits): `perPrefix` per 10 minutes, so a block
 *   of premium numbers cannot be pumped one number at a time;
 * - per client IP: `perIp` per 10 minutes (when the IP is known);
 * - per account: `perAccount` per hour (when there is an account);
 * - the deployment's `hourlyBudget` per clock hour; the first refusal in an hour logs one
 *   `sms_budget_exhausted` alert (exactly one, however many processes share the counters).
 * Over a limit: 429 `SEND_LIMIT_REACHED` / `SEND_BUDGET_EXHAUSTED` with `Retry-After` (seconds
 * to the end of the window that refused). Counters are fixed windows, counted atomically
 * *before* they are compared, so concurrent requests cannot all slip under a limit. A send
 * refused by one limit still counts against the limits checked before it (never after it).
 * Nothing here logs a phone number or an IP.
 */
import type { Clock } from '../clock.js';
import { AppError } from '../errors/app-error.js';
import { countryLabel, phonePrefix } from '../factors/phone/numbers.js';
import type { CounterStore } from '../store/counters.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ---------------------------------------------------------------------------------------------
// The guard.

export interface SpendLimits {
  perNumber: number;
  perPrefix: number;
  perIp: number;
  perAccount: number;
  hourlyBudget: number;
  allowedCountries: readonly string[] | '*';
}

export interface SendRequest {
  /** E.164. */
  to: string;
  /** ISO 3166 alpha-2 of `to` (from `parsePhone`). */
  country: string;
  ip: string | null;
  accountId: string | null;
}

export interface SpendGuard {
  /** Resolves once the send is admitted (and counted); throws `AppError` when it must not go. */
  admit(req: SendRequest): Promise<void>;
}

export interface SpendGuardOptions {
  /**
   * Maps the number, prefix, IP or account id to the counter key, e.g. a keyed hash so counter
   * storage holds no phone numbers or IPs. Default: the value itself.
   */
  hashKey?: (value: string) => string;
}

interface Limit {
  name: 'number' | 'prefix' | 'ip' | 'account';
  subject: string | null;
  max: number;
  windowMs: number;
}

/** A 429 with `Retry-After` in whole seconds (at least 1) to the end of the refusing window. */
function refusal(
  code: 'SEND_LIMIT_REACHED' | 'SEND_BUDGET_EXHAUSTED',
  resetAt: number,
  now: number,
  why: string,
): AppError {
  const seconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
  return new AppError(code, {
    details: { retryAfterSeconds: seconds },
    headers: { 'retry-after': String(seconds) },
    cause: new Error(why), // for logs only: which limit refused (never whose number)
  });
}

/**
 * Counts one hit on `key` in its fixed window and refuses with `SEND_LIMIT_REACHED` (and
 * `Retry-After`) once the window holds more than `max`: the limit every sender shares (texts and
 * calls here, password-reset emails in the reset flow).
 */
export async function countAgainstLimit(
  store: CounterStore,
  limit: { key: string; max: number; windowMs: number; why: string },
  now: number,
): Promise<void> {
  const { count, resetAt } = await store.hit(limit.key, limit.windowMs, now);
  if (count > limit.max) throw refusal('SEND_LIMIT_REACHED', resetAt, now, limit.why);
}

export function createSpendGuard(
  store: CounterStore,
  limits: SpendLimits,
  clock: Clock,
  log: { error(obj: object, msg: string): void },
  options: SpendGuardOptions = {},
): SpendGuard {
  const hashKey = options.hashKey ?? ((value: string) => value);
  const allowed =
    limits.allowedCountries === '*'
      ? ('*' as const)
      : new Set(limits.allowedCountries.map((c) => c.toUpperCase()));

  return {
    async admit(req) {
      const country = req.country.toUpperCase();
      if (allowed !== '*' && !allowed.has(country)) {
        throw new AppError('PHONE_COUNTRY_NOT_ALLOWED', {
          message: `Numbers from ${countryLabel(country)} are not accepted here.`,
          details: { country },
        });
      }

      const checks: Limit[] = [
        { name: 'number', subject: req.to, max: limits.perNumber, windowMs: 10 * MINUTE },
        {
          name: 'prefix',
          subject: phonePrefix(req.to),
          max: limits.perPrefix,
          windowMs: 10 * MINUTE,
        },
        { name: 'ip', subject: req.ip, max: limits.perIp, windowMs: 10 * MINUTE },
        { name: 'account', subject: req.accountId, max: limits.perAccount, windowMs: HOUR },
      ];
      for (const check of checks) {
        if (check.subject === null) continue;
        await countAgainstLimit(
          store,
          {
            key: `send:${check.name}:${hashKey(check.subject)}`,
            max: check.max,
            windowMs: check.windowMs,
            why: `per-${check.name} send limit`,
          },
          clock.now(),
        );
      }

      const now = clock.now();
      const { count, resetAt } = await store.hit('send:budget', HOUR, now);
      if (count > limits.hourlyBudget) {
        // Counts are atomic, so exactly one send in the hour sees budget + 1: one alert.
        if (count === limits.hourlyBudget + 1) {
          log.error(
            {
              alert: 'sms_budget_exhausted',
              budget: limits.hourlyBudget,
              until: new Date(resetAt).toISOString(),
            },
            'The hourly budget for texts and calls is spent: no more are sent until the hour ends.',
          );
        }
        throw refusal('SEND_BUDGET_EXHAUSTED', resetAt, now, 'hourly send budget');
      }
    },
  };
}
