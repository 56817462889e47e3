/**
 * The audit log through the admin API (S25): filters, newest-first pages with a cursor, a bad
 * cursor or range refused with its code, exports as CSV (formula cells made inert) and JSON
 * lines, AAL2 required; and a deployment policy change and its audit event commit together.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal1, adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let clock: FakeClock;
let admin: AdminClient;
const origin = { ip: '198.51.100.4', userAgent: 'vitest' };

beforeEach(async () => {
  clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  app = await build({ config: testConfig(), clock });
  admin = await adminAtAal2(app, 'root@clinic.org');
});
afterEach(() => app?.close());

interface Page {
  events: {
    id: string;
    action: string;
    at: string;
    actorEmail: string | null;
    reason: string | null;
  }[];
  nextCursor: string | null;
}

async function seed(n: number, extra: { organisationId?: string; reason?: string } = {}) {
  for (let i = 0; i < n; i++) {
    clock.advance(1000);
    await app.services.audit.record({
      action: 'sign_in.failed',
      actorId: admin.id,
      targetId: admin.id,
      origin,
      details: { n: i },
      ...extra,
    });
  }
}

describe('GET /api/v1/admin/audit-events', () => {
  it('pages newest first with a cursor until the last page', async () => {
    await seed(7);
    const seen: string[] = [];
    let url = '/api/v1/admin/audit-events?action=sign_in.failed&limit=3';
    let pages = 0;
    for (;;) {
      const res = await admin.c.get(url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<Page>();
      pages++;
      seen.push(...page.events.map((e) => e.at));
      if (!page.nextCursor) break;
      url = `/api/v1/admin/audit-events?action=sign_in.failed&limit=3&cursor=${page.nextCursor}`;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('filters by organisation and time, and shows the reason and the actor by email', async () => {
    await seed(2);
    const from = new Date(clock.now() + 1).toISOString();
    await seed(1, { organisationId: 'org-1', reason: 'asked by the clinic' });
    const res = await admin.c.get(`/api/v1/admin/audit-events?organisationId=org-1&from=${from}`);
    const page = res.json<Page>();
    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({
      actorEmail: 'root@clinic.org',
      reason: 'asked by the clinic',
    });
  });

  it('refuses a cursor it did not give, a reversed range and a bad limit with their codes', async () => {
    const bad = await admin.c.get('/api/v1/admin/audit-events?cursor=not-a-cursor');
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'INVALID_CURSOR']);
    const range = await admin.c.get(
      '/api/v1/admin/audit-events?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
    );
    expect([range.statusCode, range.json().error.code]).toEqual([400, 'INVALID_DATE_RANGE']);
    for (const q of ['limit=0', 'limit=201', 'limit=x', 'from=yesterday']) {
      const res = await admin.c.get(`/api/v1/admin/audit-events?${q}`);
      expect([q, res.statusCode, res.json().error.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
  });

  it('is refused to an administrator at AAL1', async () => {
    const weak = await adminAtAal1(app, 'weak@clinic.org');
    const res = await weak.c.get('/api/v1/admin/audit-events');
    expect(res.json().error.code).toBe('AAL2_REQUIRED');
  });
});

describe('GET /api/v1/admin/audit-events/export', () => {
  it('sends CSV as an attachment, a formula cell made inert', async () => {
    await seed(2, { reason: '=HYPERLINK("http://evil")' });
    const res = await admin.c.get(
      '/api/v1/admin/audit-events/export?format=csv&action=sign_in.failed',
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename=audit-20261203.csv');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,action,/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('sends JSON lines, one event a line', async () => {
    await seed(3);
    const res = await admin.c.get(
      '/api/v1/admin/audit-events/export?format=jsonl&action=sign_in.failed',
    );
    expect(res.headers['content-disposition']).toBe('attachment; filename=audit-20261203.jsonl');
    const events = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(events.map((e) => e.action)).toEqual([
      'sign_in.failed',
      'sign_in.failed',
      'sign_in.failed',
    ]);
  });

  it('refuses a reversed range before sending anything', async () => {
    const res = await admin.c.get(
      '/api/v1/admin/audit-events/export?format=csv&from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
    );
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'INVALID_DATE_RANGE']);
  });
});

describe('a deployment policy change and its audit event', () => {
  it('are written together or not at all', async () => {
    const account = (await app.services.accountRepo.byId(admin.id))!;
    const count = async () =>
      (
        await app.services.store.db
          .selectFrom('audit_events')
          .select('id')
          .where('action', 'like', 'policy.%')
          .execute()
      ).length;
    vi.spyOn(app.services.audit, 'record').mockRejectedValueOnce(new Error('audit insert failed'));
    await expect(
      app.services.policyAdmin.setDeployment(account, { extends: 'email-first' }, origin),
    ).rejects.toThrow('audit insert failed');
    const stored = await app.services.store.db
      .selectFrom('deployment_policies')
      .selectAll()
      .execute();
    expect(stored).toEqual([]);
    expect(await count()).toBe(0);
    await app.services.policyAdmin.setDeployment(account, { extends: 'email-first' }, origin);
    expect(await count()).toBe(1);
  });
});

describe('an organisation created and its audit event', () => {
  it('are written together or not at all, the event naming the organisation', async () => {
    const account = (await app.services.accountRepo.byId(admin.id))!;
    const create = () =>
      app.services.policyAdmin.createOrganisation(
        account,
        { name: 'North Clinic', override: null },
        origin,
      );
    vi.spyOn(app.services.audit, 'record').mockRejectedValueOnce(new Error('audit insert failed'));
    await expect(create()).rejects.toThrow('audit insert failed');
    const { db } = app.services.store;
    expect(await db.selectFrom('organisations').selectAll().execute()).toEqual([]);
    const created = await create();
    const events = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'organisation.created')
      .execute();
    expect(events.map((e) => e.organisation_id)).toEqual([created.organisation.id]);
  });
});
