/**
 * What an account tells a relying party, per scope (issue 14): `openid` its id as `sub` (stable,
 * never the email); `email` the address and whether it is verified; `phone` the confirmed number
 * only (a pending one an administrator entered is not the user's yet); `profile` the name where
 * held; `organisation` its id, name and the account's role. The provider keeps only the claims
 * of the scopes granted.
 */
import type { Db } from '../store/schema.js';

export type AccountClaims = Record<string, string | boolean>;

/** The account's claims in one read, or undefined when it may not sign in (gone, disabled). */
export async function claimsOf(db: Db, accountId: string): Promise<AccountClaims | undefined> {
  const row = await db
    .selectFrom('accounts as a')
    .leftJoin('phones as p', 'p.account_id', 'a.id')
    .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select([
      'a.id',
      'a.email',
      'a.email_verified_at',
      'a.state',
      'a.role',
      'a.display_name',
      'a.organisation_id',
      'o.name as organisation_name',
      'p.e164',
      'p.verified_at as phone_verified_at',
    ])
    .where('a.id', '=', accountId)
    .executeTakeFirst();
  if (!row || row.state !== 'active') return undefined;
  return {
    sub: row.id,
    email: row.email,
    email_verified: row.email_verified_at !== null,
    ...(row.e164 && row.phone_verified_at !== null
      ? { phone_number: row.e164, phone_number_verified: true }
      : {}),
    ...(row.display_name ? { name: row.display_name } : {}),
    ...(row.organisation_id
      ? { org_id: row.organisation_id, org_name: row.organisation_name ?? '' }
      : {}),
    role: row.role,
  };
}
