/**
 * What an account has enrolled, read in one query (sign-in reads it on every password success):
 * the phone (and a number an administrator entered for it, not yet confirmed), the authenticator
 * app, how many usable (not flagged) passkeys, and whether a live recovery code exists and was
 * saved.
 */
import { compiledOnce } from '../store/compiled.js';
import type { Db, PendingPhonesTable, Phone } from '../store/schema.js';

export interface AccountFactors {
  phone: Phone | undefined;
  totp: { id: string; addedAt: number; lastUsedAt: number | null } | undefined;
  recoveryCode: { id: string; saved: boolean } | undefined;
  /** Passkeys that may sign in (a flagged one, whose counter went backwards, may not). */
  passkeys: number;
  /** The number an administrator entered, until the user confirms it with a code (seed 002). */
  pendingPhone?: PendingPhonesTable | undefined;
}

const factorsQuery = (db: Db, accountId: string) =>
  db
    .selectFrom('accounts as a')
    .leftJoin('phones as p', 'p.account_id', 'a.id')
    .leftJoin('totp_factors as t', 't.account_id', 'a.id')
    .leftJoin('pending_phones as pp', 'pp.account_id', 'a.id')
    .leftJoin('recovery_codes as r', (join) =>
      join
        .onRef('r.account_id', '=', 'a.id')
        .on('r.used_at', 'is', null)
        .on('r.revoked_at', 'is', null),
    )
    .select([
      'p.id as phone_id',
      'p.e164',
      'p.country',
      'p.kind',
      'p.verified_at',
      'p.created_at as phone_created_at',
      'p.last_used_at as phone_last_used_at',
      't.id as totp_id',
      't.created_at as totp_created_at',
      't.last_used_at as totp_last_used_at',
      'r.id as rc_id',
      'r.saved_at as rc_saved_at',
      'pp.e164 as pending_e164',
      'pp.country as pending_country',
      'pp.kind as pending_kind',
      'pp.set_by as pending_set_by',
      'pp.created_at as pending_created_at',
      (eb) =>
        eb
          .selectFrom('passkeys as k')
          .select((k) => k.fn.countAll<number>().as('n'))
          .whereRef('k.account_id', '=', 'a.id')
          .where('k.flagged_at', 'is', null)
          .as('passkey_count'),
    ])
    .where('a.id', '=', accountId);

/** The query of each store, compiled once (sign-in runs it at every password success). */
const compiledFor = new WeakMap<Db, (accountId: string) => Promise<FactorsRow[]>>();
type FactorsRow = Awaited<ReturnType<ReturnType<typeof factorsQuery>['executeTakeFirstOrThrow']>>;

export async function loadFactors(db: Db, accountId: string): Promise<AccountFactors> {
  let load = compiledFor.get(db);
  if (!load) compiledFor.set(db, (load = compiledOnce(db, (id: string) => factorsQuery(db, id))));
  const [row] = await load(accountId);
  if (!row) return { phone: undefined, totp: undefined, recoveryCode: undefined, passkeys: 0 };
  return {
    phone:
      row.phone_id === null
        ? undefined
        : {
            id: row.phone_id,
            account_id: accountId,
            e164: row.e164!,
            country: row.country!,
            kind: row.kind!,
            verified_at: row.verified_at!,
            created_at: row.phone_created_at!,
            last_used_at: row.phone_last_used_at,
          },
    totp:
      row.totp_id === null
        ? undefined
        : {
            id: row.totp_id,
            addedAt: row.totp_created_at!,
            lastUsedAt: row.totp_last_used_at,
          },
    recoveryCode:
      row.rc_id === null ? undefined : { id: row.rc_id, saved: row.rc_saved_at !== null },
    passkeys: Number(row.passkey_count ?? 0),
    pendingPhone:
      row.pending_e164 === null
        ? undefined
        : {
            account_id: accountId,
            e164: row.pending_e164,
            country: row.pending_country!,
            kind: row.pending_kind!,
            set_by: row.pending_set_by,
            created_at: row.pending_created_at!,
          },
  };
}
