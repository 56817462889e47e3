/**
 * Finding users (the console's Users page): by email or name prefix (case-insensitive, the same
 * folding as sign-in's keys), organisation, state and factors held, newest first or by email,
 * with keyset paging (never OFFSET) over indexes that keep a page cheap at a million accounts
 * (`0009-admin-console.ts`; the plans are shown in `docs/admin.md`).
 */
import type { ExpressionBuilder } from 'kysely';
import { foldMailbox } from '../accounts/email.js';
import { AppError } from '../errors/app-error.js';
import type { Database, Db } from '../store/schema.js';
import type { AdminScope } from './access.js';

export type UserState = 'active' | 'disabled' | 'invited' | 'locked' | 'mfa_off';
export type HeldFactor = 'phone' | 'totp' | 'passkey' | 'recovery_code';

export interface UserQuery {
  /** An email prefix, or a name prefix when it has no `@`… either matches. */
  q?: string;
  organisationId?: string;
  state?: UserState;
  holds?: HeldFactor;
  sort: 'newest' | 'email';
  cursor?: string;
  limit: number;
}

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  organisationId: string | null;
  role: string;
  state: string;
  createdAt: number;
}

type Cursor = { k: string | number; id: string };

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decode(cursor: string, sort: UserQuery['sort']): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Cursor;
    const keyOk = sort === 'newest' ? typeof c.k === 'number' : typeof c.k === 'string';
    if (keyOk && typeof c.id === 'string') return c;
  } catch {
    // falls through
  }
  throw new AppError('INVALID_CURSOR');
}

/** The highest code point: every string with the prefix sorts below prefix + this. */
const TOP = '\u{10ffff}';

type Accounts = ExpressionBuilder<Database & { a: Database['accounts'] }, 'a'>;

function holding(eb: Accounts, factor: HeldFactor) {
  switch (factor) {
    case 'phone':
      return eb.exists(eb.selectFrom('phones').select('id').whereRef('account_id', '=', 'a.id'));
    case 'totp':
      return eb.exists(
        eb.selectFrom('totp_factors').select('id').whereRef('account_id', '=', 'a.id'),
      );
    case 'passkey':
      return eb.exists(eb.selectFrom('passkeys').select('id').whereRef('account_id', '=', 'a.id'));
    case 'recovery_code':
      return eb.exists(
        eb
          .selectFrom('recovery_codes')
          .select('id')
          .whereRef('account_id', '=', 'a.id')
          .where('used_at', 'is', null)
          .where('revoked_at', 'is', null),
      );
  }
}

/** The page's query, one more row than the page (to know whether another follows). */
export function userSearchQuery(db: Db, scope: AdminScope, query: UserQuery, now: number) {
  let select = db
    .selectFrom('accounts as a')
    .select([
      'a.id',
      'a.email',
      'a.email_normalized',
      'a.display_name',
      'a.organisation_id',
      'a.role',
      'a.state',
      'a.created_at',
    ]);
  // An organisation administrator sees their members only, and never another administrator.
  if (scope.organisationId !== null)
    select = select
      .where('a.organisation_id', '=', scope.organisationId)
      .where('a.role', '=', 'user');
  else if (query.organisationId)
    select = select.where('a.organisation_id', '=', query.organisationId);

  const q = query.q?.trim();
  if (q) {
    const key = foldMailbox(q);
    // A range the indexes serve, then the exact prefix (no LIKE: its wildcards need escaping
    // and its index use differs between the dialects).
    const prefix = (column: 'a.email_normalized' | 'a.name_key') => (eb: Accounts) =>
      eb.and([
        eb(column, '>=', key),
        eb(column, '<', key + TOP),
        eb(eb.fn('substr', [eb.ref(column), eb.lit(1), eb.val(key.length)]), '=', key),
      ]);
    select = select.where((eb) =>
      q.includes('@')
        ? prefix('a.email_normalized')(eb)
        : eb.or([prefix('a.email_normalized')(eb), prefix('a.name_key')(eb)]),
    );
  }

  switch (query.state) {
    case 'active':
    case 'disabled':
    case 'invited':
      select = select.where('a.state', '=', query.state);
      break;
    case 'mfa_off':
      select = select.where('a.mfa_exempt_until', '>', now);
      break;
    case 'locked':
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('failure_counters as f')
            .select('f.subject')
            .whereRef('f.account_id', '=', 'a.id')
            .where('f.locked_at', 'is not', null),
        ),
      );
      break;
  }
  if (query.holds) {
    const factor = query.holds;
    select = select.where((eb) => holding(eb, factor));
  }

  if (query.cursor) {
    const c = decode(query.cursor, query.sort);
    select =
      query.sort === 'newest'
        ? select.where((eb) =>
            eb.or([
              eb('a.created_at', '<', c.k as number),
              eb.and([eb('a.created_at', '=', c.k as number), eb('a.id', '<', c.id)]),
            ]),
          )
        : select.where((eb) =>
            eb.or([
              eb('a.email_normalized', '>', c.k as string),
              eb.and([eb('a.email_normalized', '=', c.k as string), eb('a.id', '>', c.id)]),
            ]),
          );
  }
  select =
    query.sort === 'newest'
      ? select.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc')
      : select.orderBy('a.email_normalized', 'asc').orderBy('a.id', 'asc');
  return select.limit(query.limit + 1);
}

export async function searchUsers(
  db: Db,
  scope: AdminScope,
  query: UserQuery,
  now: number,
): Promise<{ users: UserRow[]; nextCursor: string | null }> {
  const rows = await userSearchQuery(db, scope, query, now).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const more = rows.length > query.limit && last !== undefined;
  return {
    users: page.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.display_name,
      organisationId: r.organisation_id,
      role: r.role,
      state: r.state,
      createdAt: r.created_at,
    })),
    nextCursor: more
      ? encode({
          k: query.sort === 'newest' ? last.created_at : last.email_normalized,
          id: last.id,
        })
      : null,
  };
}
