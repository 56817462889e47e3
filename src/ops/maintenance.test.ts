import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build } from '../app.js';
import { FakeClock } from '../clock.js';
import { Client, PASSWORD, signedInClient } from '../../test/helpers/client.js';
import { testConfig } from '../../test/helpers/config.js';
import { purgeExpired } from './maintenance.js';

let app: FastifyInstance;
let clock: FakeClock;
beforeEach(async () => {
  clock = new FakeClock();
  app = await build({ config: testConfig(), clock });
});
afterEach(() => app.close());

describe('housekeeping', () => {
  it('removes expired flows, codes and sessions, keeps live ones and the audit log', async () => {
    const db = app.services.store.db;
    const live = await signedInClient(app, 'live@clinic.org');
    await new Client(app).post('/api/v1/sign-up', {
      email: 'pending@clinic.org',
      password: PASSWORD,
    });
    await new Client(app).post('/api/v1/sign-in', {
      email: 'pending@clinic.org',
      password: PASSWORD,
    });
    const auditBefore = (await db.selectFrom('audit_events').select('id').execute()).length;

    expect(await purgeExpired(db, clock.now(), app.services.config.sessionIdleMs)).toEqual({
      flows: 0,
      codes: 0,
      sessions: 0,
      outbox: 0,
      givenUp: 0,
      counters: 0,
      logins: 0,
    });

    clock.advance(2 * 24 * 3_600_000);
    const counts = await purgeExpired(db, clock.now(), app.services.config.sessionIdleMs);
    expect(counts.flows).toBe(2);
    expect(counts.codes).toBe(2);
    expect(counts.sessions).toBe(1);
    expect((await live.get('/api/v1/session')).statusCode).toBe(401);
    expect((await db.selectFrom('audit_events').select('id').execute()).length).toBe(auditBefore);
  });
});
