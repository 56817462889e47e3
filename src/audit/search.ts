/**
 * Reading the audit log (S25), for the admin console: filters within a scope (the deployment,
 * or one organisation's rows only), newest first by (at desc, id desc), keyset-paged with an
 * opaque cursor (never OFFSET: a page costs the same at row 10 or 10 million).
 */
import { AppError } from '../errors/app-error.js';
import type { Db } from '../store/schema.js';

export interface AuditScope {
  /** null: the whole deployment; an id: only the rows of that organisation. */
  organisationId: string | null;
}

export interface AuditFilter {
  scope: AuditScope;
  actorId?: string;
  targetId?: string;
  action?: string;
  organisationId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

export interface AuditSearch extends AuditFilter {
  cursor?: string;
  /** 1–200, default 50. */
  limit?: number;
}

export interface AuditEventView {
  id: string;
  at: string;
  action: string;
  actorId: string | null;
  actorEmail: string | null;
  targetId: string | null;
  targetEmail: string | null;
  organisationId: string | null;
  ip: string | null;
  userAgent: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  events: AuditEventView[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Where a page ends: the last row's (at, id). */
export interface Position {
  at: number;
  id: string;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.at}.${p.id}`).toString('base64url');
}

/** A cursor this service gave, or INVALID_CURSOR. */
export function decodeCursor(cursor: string): Position {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString()
    : '';
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match?.[1] || !match[2]) throw new AppError('INVALID_CURSOR');
  return { at: Number(match[1]), id: match[2] };
}

/** A range that ends before it starts is refused (INVALID_DATE_RANGE), not answered empty. */
export function checkFilter(f: AuditFilter): void {
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) {
    throw new AppError('INVALID_DATE_RANGE');
  }
}

/** The matching rows, newest first, after `after` (exclusive), at most `limit` of them. */
export function auditQuery(db: Db, f: AuditFilter, after: Position | undefined, limit: number) {
  let q = db
    .selectFrom('audit_events as e')
    .leftJoin('accounts as actor', 'actor.id', 'e.actor_id')
    .leftJoin('accounts as target', 'target.id', 'e.target_id')
    .select([
      'e.id',
      'e.at',
      'e.action',
      'e.actor_id',
      'actor.email as actor_email',
      'e.target_id',
      'target.email as target_email',
      'e.organisation_id',
      'e.ip',
      'e.user_agent',
      'e.reason',
      'e.details',
    ]);
  if (f.scope.organisationId !== null)
    q = q.where('e.organisation_id', '=', f.scope.organisationId);
  if (f.organisationId !== undefined) q = q.where('e.organisation_id', '=', f.organisationId);
  if (f.actorId !== undefined) q = q.where('e.actor_id', '=', f.actorId);
  if (f.targetId !== undefined) q = q.where('e.target_id', '=', f.targetId);
  if (f.action !== undefined) q = q.where('e.action', '=', f.action);
  if (f.from !== undefined) q = q.where('e.at', '>=', f.from);
  if (f.to !== undefined) q = q.where('e.at', '<', f.to);
  // A row value, (at, id) < (…): one range on the (…, at, id) indexes, in both dialects.
  if (after) {
    q = q.where((eb) => eb(eb.refTuple('e.at', 'e.id'), '<', eb.tuple(after.at, after.id)));
  }
  return q.orderBy('e.at', 'desc').orderBy('e.id', 'desc').limit(limit);
}

type Row = Awaited<ReturnType<ReturnType<typeof auditQuery>['execute']>>[number];

export function presentEvent(r: Row): AuditEventView {
  return {
    id: r.id,
    at: new Date(Number(r.at)).toISOString(),
    action: r.action,
    actorId: r.actor_id,
    actorEmail: r.actor_email ?? null,
    targetId: r.target_id,
    targetEmail: r.target_email ?? null,
    organisationId: r.organisation_id,
    ip: r.ip,
    userAgent: r.user_agent,
    reason: r.reason,
    details: parseDetails(r.details),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function searchAuditEvents(db: Db, s: AuditSearch): Promise<AuditPage> {
  const limit = s.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('VALIDATION_FAILED', { details: { field: 'limit' } });
  }
  checkFilter(s);
  const after = s.cursor === undefined ? undefined : decodeCursor(s.cursor);
  // One row more than the page: whether there is a next page, without a count.
  const rows = await auditQuery(db, s, after, limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map(presentEvent),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ at: Number(last.at), id: last.id }) : null,
  };
}
