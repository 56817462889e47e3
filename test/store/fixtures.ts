/**
 * Small helpers shared by the store conformance suite: the dialects to run against, a keyed
 * hasher under a fixed test key, an account row inserted directly, and a way to await an
 * AppError with a given code.
 */
import { expect } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Argon2Params } from '../../src/factors/password/hashing.js';
import type { SignInService } from '../../src/flows/sign-in/service.js';
import { createServices, type Services } from '../../src/services.js';
import type { Store } from '../../src/store/dialect.js';
import { testConfig } from '../helpers/config.js';
import { createKeyedHasher } from '../../src/crypto/keyed-hash.js';
import { newId } from '../../src/crypto/random.js';
import { AppError } from '../../src/errors/app-error.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import type { Account, Database, Db } from '../../src/store/schema.js';
import { dialects, type TestStore } from '../helpers/stores.js';

/** Every dialect the suite runs against (PostgreSQL when TEST_DATABASE_URL is set). */
export const storeDialects: [string, () => Promise<TestStore>][] = dialects;

export const SECRET_KEY = 'test-secret-key-test-secret-key-test-secret-key';
export const hasher = createKeyedHasher(SECRET_KEY);
export const origin = { ip: '203.0.113.7', userAgent: 'vitest' };

/** Inserts an active, email-verified user (override anything). */
export async function insertAccount(
  db: Db,
  clock: Clock,
  overrides: Partial<Account> = {},
): Promise<Account> {
  const id = overrides.id ?? newId();
  const email = overrides.email ?? `user-${id.slice(0, 8).toLowerCase()}@example.org`;
  const account: Account = {
    id,
    email,
    email_normalized: email.toLowerCase(),
    email_verified_at: clock.now(),
    password_hash: null,
    state: 'active',
    role: 'user',
    created_at: clock.now(),
    updated_at: clock.now(),
    phone_offer_dismissed_at: null,
    organisation_id: null,
    display_name: null,
    name_key: null,
    mfa_exempt_until: null,
    ...overrides,
  };
  await db.insertInto('accounts').values(account).execute();
  return account;
}

/** Awaits `promise`, expects it to reject with an AppError of `code`, and returns the error. */
export async function expectAppError(
  promise: Promise<unknown>,
  code: ErrorCode,
): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected an AppError ${code}`).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

/** Every value of every row of `table`, as one string per row, for "no secret in here" scans. */
export async function rowsAsText(db: Db, table: keyof Database): Promise<string[]> {
  const rows = (await db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
  return rows.map((r) => Object.values(r).map(String).join('\u0000'));
}

/** Counts how many settled results were fulfilled. */
export function fulfilled(results: PromiseSettledResult<unknown>[]): number {
  return results.filter((r) => r.status === 'fulfilled').length;
}

/** The AppError codes of the rejected results. */
export function rejectionCodes(results: PromiseSettledResult<unknown>[]): string[] {
  return results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason instanceof AppError ? r.reason.code : String(r.reason)));
}

/**
 * The sign-in service wired exactly as the app wires it (over this store and clock), with cheap
 * argon2 parameters where a test counts attempts rather than hashing.
 */
export function signInServiceFor(store: Store, clock: Clock, argon2?: Argon2Params): SignInService {
  return servicesFor(store, clock, argon2).signIn;
}

/** Every service, wired as the app wires them, over this store and clock (the dev outbox). */
export function servicesFor(store: Store, clock: Clock, argon2?: Argon2Params): Services {
  return createServices(testConfig(), store, clock, argon2 ? { argon2 } : {});
}
