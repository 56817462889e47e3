/**
 * The audit export is streamed (S25): 100,000 events exported as CSV and as JSON lines through
 * a listening app over a real socket, every row arriving, while the server's RSS grows by far
 * less than the file (a leak check with a generous bound, not a timing assertion).
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { testConfig } from '../helpers/config.js';

const EVENTS = 100_000;
/**
 * Measured: SQLite 2–7 MB; PostgreSQL 0–55 MB from run to run (the heap growing under pg's
 * garbage, then given back: repeated exports do not add up). The JSONL file is ~35 MB, and all
 * 100,000 rows held as objects would be several times that: a bound that catches a buffered
 * export without failing on the garbage collector's timing.
 */
const RSS_BOUND_MB = 96;

let app: FastifyInstance;
let admin: AdminClient;
let port: number;

beforeAll(async () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 8, 0, 0));
  app = await build({ config: testConfig(), clock });
  admin = await adminAtAal2(app, 'root@clinic.org');
  const { db, units } = app.services.store;
  const start = clock.now() - EVENTS;
  await units.transaction(async () => {
    for (let i = 0; i < EVENTS; i += 2000) {
      const rows = Array.from({ length: Math.min(2000, EVENTS - i) }, (_, k) => ({
        id: `bulk-${String(i + k).padStart(7, '0')}`,
        at: start + i + k,
        actor_id: admin.id,
        action: 'sign_in.failed',
        target_id: admin.id,
        ip: '203.0.113.1',
        user_agent: 'bulk loader, "quoted"',
        details: JSON.stringify({ n: i + k, factor: 'pwd' }),
        organisation_id: null,
        reason: i % 3 === 0 ? '=not a formula' : null,
      }));
      await db.insertInto('audit_events').values(rows).execute();
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
}, 120_000);
afterAll(() => app?.close());

/** Streams the export, counting lines (never holding the body), sampling RSS meanwhile. */
function exportOver(format: 'csv' | 'jsonl') {
  return new Promise<{ status: number; lines: number; growthMb: number; headers: object }>(
    (resolve, reject) => {
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1/admin/audit-events/export?format=${format}&action=sign_in.failed`,
          headers: { cookie: admin.c.cookie ?? '' },
        },
        (res) => {
          let lines = 0;
          res.on('data', (chunk: Buffer) => {
            for (const byte of chunk) if (byte === 0x0a) lines++;
          });
          res.on('end', () => {
            clearInterval(sampler);
            peak = Math.max(peak, process.memoryUsage().rss);
            resolve({
              status: res.statusCode ?? 0,
              lines,
              growthMb: (peak - before) / 2 ** 20,
              headers: res.headers,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the audit export of 100,000 events', () => {
  it.each(['csv', 'jsonl'] as const)(
    'streams every row as %s with flat memory',
    async (format) => {
      const { status, lines, growthMb, headers } = await exportOver(format);
      // eslint-disable-next-line no-console -- the measured figure is quoted in reports
      console.log(
        `audit export ${format} (${process.env.TEST_DIALECT ?? 'sqlite'}): ${lines} lines, server RSS growth ${growthMb.toFixed(1)} MB`,
      );
      expect(status).toBe(200);
      expect(headers).toMatchObject({
        'content-disposition': `attachment; filename=audit-20261203.${format}`,
      });
      // Every bulk row, one a line (no value holds a newline); CSV adds its header line.
      expect(lines).toBe(EVENTS + (format === 'csv' ? 1 : 0));
      expect(growthMb).toBeLessThan(RSS_BOUND_MB);
    },
    120_000,
  );
});
