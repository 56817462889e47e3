/**
 * The audit log exported (S25): every row a filter matches, as CSV (RFC 4180; a cell a
 * spreadsheet would run as a formula gets a leading apostrophe) or JSON lines. Rows come from
 * the database in keyset-paged batches, so memory stays flat whatever the log's size, and the
 * caller pulls lines as the client reads them (backpressure through a Readable).
 */
import { Readable } from 'node:stream';
import type { Db } from '../store/schema.js';
import {
  auditQuery,
  checkFilter,
  presentEvent,
  type AuditEventView,
  type AuditFilter,
} from './search.js';

export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_BATCH = 1000;

const COLUMNS = [
  'id',
  'at',
  'action',
  'actorId',
  'actorEmail',
  'targetId',
  'targetEmail',
  'organisationId',
  'ip',
  'userAgent',
  'reason',
  'details',
] as const satisfies readonly (keyof AuditEventView)[];

/** Every matching event, newest first, read batch by batch. */
export async function* auditEvents(db: Db, filter: AuditFilter): AsyncGenerator<AuditEventView> {
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const rows = await auditQuery(db, filter, after, EXPORT_BATCH).execute();
    for (const row of rows) yield presentEvent(row);
    const last = rows.at(-1);
    if (rows.length < EXPORT_BATCH || !last) return;
    after = { at: Number(last.at), id: last.id };
  }
}

/** A cell starting with = + - @, a tab or a CR is made inert; then RFC 4180 quoting. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text.startsWith("'") ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(e: AuditEventView): string {
  const cells = COLUMNS.map((c) => csvCell(c === 'details' ? JSON.stringify(e.details) : e[c]));
  return `${cells.join(',')}\r\n`;
}

async function* lines(db: Db, filter: AuditFilter, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield `${COLUMNS.join(',')}\r\n`;
  // A few hundred lines per chunk: fewer, larger writes; still a small, bounded buffer.
  let chunk = '';
  let count = 0;
  for await (const event of auditEvents(db, filter)) {
    chunk += format === 'csv' ? csvLine(event) : `${JSON.stringify(event)}\n`;
    if (++count % 200 === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The export as a stream: read only as fast as it is sent. */
export function exportAuditEvents(db: Db, filter: AuditFilter, format: ExportFormat): Readable {
  checkFilter(filter); // before the first byte: once streaming, an error cannot be answered
  return Readable.from(lines(db, filter, format), { objectMode: false });
}

/** `audit-YYYYMMDD.csv` or `.jsonl`, dated in UTC. */
export function exportFileName(now: number, format: ExportFormat): string {
  return `audit-${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}.${format}`;
}

export const exportContentType: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/jsonl; charset=utf-8',
};
