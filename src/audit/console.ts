/**
 * What the admin console reads of the audit log (S25): a page of events, or all of them
 * streamed as a file. Both take the same filters and a scope the caller's role decides.
 */
import type { Readable } from 'node:stream';
import type { Db } from '../store/schema.js';
import { exportAuditEvents, type ExportFormat } from './export.js';
import { searchAuditEvents, type AuditFilter, type AuditPage, type AuditSearch } from './search.js';

export interface AuditConsole {
  search(s: AuditSearch): Promise<AuditPage>;
  /** Checks the filter at once (before any byte is sent), then streams as it is read. */
  export(filter: AuditFilter, format: ExportFormat): Readable;
}

export function createAuditConsole(db: Db): AuditConsole {
  return {
    search: (s) => searchAuditEvents(db, s),
    export: (filter, format) => exportAuditEvents(db, filter, format),
  };
}
