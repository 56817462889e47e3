/**
 * S23 for the policy and organisation admin routes: each needs an admin with an AAL2 session.
 * Signed out: 401; a signed-in user who is not an admin: 403 ADMIN_REQUIRED; an admin whose
 * session is AAL1: 403 AAL2_REQUIRED; and nothing a refused request asked for happens.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal1, adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { Client, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

let app: FastifyInstance;
let admin: AdminClient;
let orgId: string;
let memberId: string;

beforeAll(async () => {
  app = await build({ config: testConfig(), clock: new FakeClock() });
  admin = await adminAtAal2(app, 'root@clinic.org');
  await signedInClient(app, 'member@clinic.org');
  const created = await admin.c.post('/api/v1/admin/organisations', { name: 'North Clinic' });
  orgId = created.json().organisation.id;
  const added = await admin.c.post(`/api/v1/admin/organisations/${orgId}/members`, {
    email: 'member@clinic.org',
  });
  memberId = added.json().member.id;
});
afterAll(() => app?.close());

type Call = (c: Client) => Promise<LightMyRequestResponse>;

/** Every policy and organisation admin route, with a body it would accept from an admin. */
function routes(): [string, Call][] {
  const org = `/api/v1/admin/organisations/${orgId}`;
  return [
    ['GET /admin/policy', (c) => c.get('/api/v1/admin/policy')],
    ['PUT /admin/policy', (c) => c.put('/api/v1/admin/policy', { extends: 'email-first' })],
    ['DELETE /admin/policy', (c) => c.delete('/api/v1/admin/policy')],
    ['POST /admin/organisations', (c) => c.post('/api/v1/admin/organisations', { name: 'X' })],
    ['GET /admin/organisations', (c) => c.get('/api/v1/admin/organisations')],
    ['GET /admin/organisations/:id', (c) => c.get(org)],
    [
      'PUT /admin/organisations/:id/policy',
      (c) => c.put(`${org}/policy`, { override: { codeLength: 8 } }),
    ],
    [
      'POST /admin/organisations/:id/members',
      (c) => c.post(`${org}/members`, { email: 'member@clinic.org' }),
    ],
    [
      'DELETE /admin/organisations/:id/members/:accountId',
      (c) => c.delete(`${org}/members/${memberId}`),
    ],
  ];
}

async function expectRefused(client: Client, status: number, code: string) {
  for (const [name, call] of routes()) {
    const res = await call(client);
    expect({ name, status: res.statusCode, code: res.json().error?.code }).toEqual({
      name,
      status,
      code,
    });
  }
}

describe('S23: the policy and organisation admin routes', () => {
  it('refuse a caller who is not signed in', async () => {
    await expectRefused(new Client(app), 401, 'UNAUTHENTICATED');
  });

  it('refuse a signed-in user who is not an administrator', async () => {
    await expectRefused(await signedInClient(app, 'pat@clinic.org'), 403, 'ADMIN_REQUIRED');
  });

  it('refuse an administrator whose session is not AAL2', async () => {
    const aal1 = await adminAtAal1(app, 'second-admin@clinic.org');
    await expectRefused(aal1.c, 403, 'AAL2_REQUIRED');
  });

  it('left everything as it was: no policy set, one organisation, its member still in it', async () => {
    expect((await admin.c.get('/api/v1/admin/policy')).json().source).toBe('configuration');
    const list = (await admin.c.get('/api/v1/admin/organisations')).json().organisations;
    expect(list).toMatchObject([
      { id: orgId, name: 'North Clinic', override: null, memberCount: 1 },
    ]);
  });
});
