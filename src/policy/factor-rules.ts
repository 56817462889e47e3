/**
 * What the account's own policy (its organisation's override included) lets it do with a factor:
 *   - add it only if the policy lists it (`factors`);
 *   - remove it unless the policy engine says no (`mayRemoveFactor`, from what it holds now): the
 *     factor that keeps it meeting the minimum while the minimum binds stays, and so does the
 *     last second factor where every sign-in asks for one. A flagged passkey is not counted as
 *     held, and its removal is never refused (the callers say so).
 */
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../clock.js';
import { loadFactors } from '../factors/account-factors.js';
import type { Account, Db } from '../store/schema.js';
import { mayRemoveFactor } from './evaluate.js';
import { holdingsOf } from './holdings.js';
import type { FactorKind } from './presets.js';
import type { PolicySource } from './source.js';

export interface RemovalDeps {
  db: Db;
  clock: Clock;
  policies: PolicySource;
}

type Holder = Pick<
  Account,
  'id' | 'email_verified_at' | 'phone_offer_dismissed_at' | 'password_hash'
>;

/** One read of the policy and the factors; then the answer for any factor. */
export async function removalRules(
  d: RemovalDeps,
  account: Holder,
): Promise<(factor: FactorKind) => boolean> {
  const [policy, factors] = await Promise.all([
    d.policies.forAccount(account.id),
    loadFactors(d.db, account.id),
  ]);
  const holdings = holdingsOf(account, factors);
  const now = d.clock.now();
  return (factor) => mayRemoveFactor(policy, holdings, factor, now);
}

export async function mayRemoveNow(
  d: RemovalDeps,
  account: Holder,
  factor: FactorKind,
): Promise<boolean> {
  return (await removalRules(d, account))(factor);
}

/** Refuses to add a factor the account's policy does not list (FACTOR_NOT_ALLOWED). */
export async function assertMayAdd(
  policies: PolicySource,
  accountId: string,
  factor: FactorKind,
): Promise<void> {
  if (!(await policies.forAccount(accountId)).factors.includes(factor))
    throw new AppError('FACTOR_NOT_ALLOWED');
}
