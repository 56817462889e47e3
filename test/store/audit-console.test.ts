/**
 * Store conformance: the audit log as a record (S25) — the database refuses to update or delete
 * a row (triggers, migration 0010) while inserts go on; an event keeps its organisation and
 * reason; a search is scoped, filtered and keyset-paged; CSV cells cannot run as formulas.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../../src/audit/audit.js';
import { csvCell } from '../../src/audit/export.js';
import { searchAuditEvents } from '../../src/audit/search.js';
import { FakeClock } from '../../src/clock.js';
import type { TestStore } from '../helpers/stores.js';
import { expectAppError, origin, storeDialects } from './fixtures.js';

describe.each(storeDialects)('audit console on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let audit: AuditLog;

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock(Date.UTC(2026, 11, 3, 8, 0, 0));
    audit = createAuditLog(t.store.db, clock);
  });
  afterEach(async () => {
    await t.close();
  });

  it('refuses an UPDATE and a DELETE of an audit row; an INSERT goes on', async () => {
    await audit.record({ action: 'sign_in.failed', targetId: 'acc-1', origin });
    const db = t.store.db;
    await expect(
      db.updateTable('audit_events').set({ action: 'sign_in.succeeded' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(db)).rejects.toThrow(/append-only/);
    await audit.record({ action: 'sign_in.succeeded', targetId: 'acc-1', origin });
    const rows = await db.selectFrom('audit_events').select('action').orderBy('action').execute();
    expect(rows.map((r) => r.action)).toEqual(['sign_in.failed', 'sign_in.succeeded']);
  });

  it("keeps an event's organisation and reason, the reason cut at 500 characters", async () => {
    await audit.record({
      action: 'organisation.member_removed',
      organisationId: 'org-1',
      reason: 'x'.repeat(600),
    });
    const row = await t.store.db.selectFrom('audit_events').selectAll().executeTakeFirstOrThrow();
    expect(row.organisation_id).toBe('org-1');
    expect(row.reason).toHaveLength(500);
  });

  it('is one INSERT per event (the sign-in path records them)', async () => {
    let inserts = 0;
    const db = new Proxy(t.store.db, {
      get(target, prop) {
        if (prop === 'insertInto') inserts++;
        return Reflect.get(target, prop, target) as unknown;
      },
    });
    await createAuditLog(db, clock).record({ action: 'sign_in.failed' });
    expect(inserts).toBe(1);
  });

  it('scopes, filters and pages newest first, equal times ordered by id', async () => {
    for (let i = 0; i < 5; i++) {
      if (i % 2 === 0) clock.advance(1000); // pairs share a millisecond
      await audit.record({ action: 'sign_in.failed', organisationId: i < 3 ? 'org-a' : 'org-b' });
    }
    const all = await searchAuditEvents(t.store.db, { scope: { organisationId: null }, limit: 2 });
    expect(all.events).toHaveLength(2);
    const rest = await searchAuditEvents(t.store.db, {
      scope: { organisationId: null },
      cursor: all.nextCursor!,
      limit: 10,
    });
    const ids = [...all.events, ...rest.events].map((e) => `${e.at}|${e.id}`);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(rest.nextCursor).toBeNull();

    const a = await searchAuditEvents(t.store.db, { scope: { organisationId: 'org-a' } });
    expect(a.events.map((e) => e.organisationId)).toEqual(['org-a', 'org-a', 'org-a']);
    // A filter cannot widen a scope.
    const widened = await searchAuditEvents(t.store.db, {
      scope: { organisationId: 'org-a' },
      organisationId: 'org-b',
    });
    expect(widened.events).toEqual([]);
  });

  it('refuses a cursor it did not give', async () => {
    for (const cursor of ['', 'abc', Buffer.from('1.x.y').toString('base64url'), '!!!']) {
      await expectAppError(
        searchAuditEvents(t.store.db, { scope: { organisationId: null }, cursor }),
        'INVALID_CURSOR',
      );
    }
  });
});

describe('CSV cells', () => {
  it('quote by RFC 4180 and make formula cells inert', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const risky of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) {
      expect(csvCell(risky)).toBe(`"'${risky}"`);
    }
    expect(csvCell(null)).toBe('');
  });
});
