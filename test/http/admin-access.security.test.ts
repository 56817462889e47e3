/**
 * Every admin route, read from the OpenAPI document (a new route is covered by itself), called as
 * seven people: signed out, a member, an administrator at AAL1, an organisation administrator of
 * another organisation, one of the user's organisation, an administrator at AAL2 without a fresh
 * step-up, and one with it. What each may do comes from the route's declared access
 * (`x-portcullis-access`), and each answer is checked against it — before any input is read.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, type AdminAccess } from '../../src/admin/access.js';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { newId } from '../../src/crypto/random.js';
import { cookiePolicy } from '../../src/http/session-cookie.js';
import type { Role } from '../../src/store/schema.js';
import { testConfig } from '../helpers/config.js';

type Persona =
  | 'signed out'
  | 'member'
  | 'administrator at AAL1'
  | 'organisation administrator of another organisation'
  | "organisation administrator of the user's organisation"
  | 'administrator without a fresh step-up'
  | 'administrator with a fresh step-up';

const personas: Persona[] = [
  'signed out',
  'member',
  'administrator at AAL1',
  'organisation administrator of another organisation',
  "organisation administrator of the user's organisation",
  'administrator without a fresh step-up',
  'administrator with a fresh step-up',
];

/** The guard's codes: an answer with none of these got past the guard. */
const guardCodes = [
  'UNAUTHENTICATED',
  'ADMIN_REQUIRED',
  'AAL2_REQUIRED',
  'DEPLOYMENT_ADMIN_REQUIRED',
  'STEP_UP_REQUIRED',
  'USER_NOT_FOUND',
  'SELF_ADMIN_ACTION',
  'ORGANISATION_NOT_FOUND',
];

/** What the guard must answer `persona` on a route so declared (null: let through). */
function expected(persona: Persona, access: AdminAccess, path: string): string | null {
  const orgRoute = path.includes('/organisations/{id}');
  const userRoute = path.includes('{userId}');
  switch (persona) {
    case 'signed out':
      return 'UNAUTHENTICATED';
    case 'member':
      return 'ADMIN_REQUIRED';
    case 'administrator at AAL1':
      return 'AAL2_REQUIRED';
    case 'organisation administrator of another organisation':
      if (access.scope === 'deployment') return 'DEPLOYMENT_ADMIN_REQUIRED';
      if (userRoute) return 'USER_NOT_FOUND';
      if (orgRoute) return 'ORGANISATION_NOT_FOUND';
      return null;
    case "organisation administrator of the user's organisation":
      if (access.scope === 'deployment') return 'DEPLOYMENT_ADMIN_REQUIRED';
      return access.stepUp ? 'STEP_UP_REQUIRED' : null;
    case 'administrator without a fresh step-up':
      return access.stepUp ? 'STEP_UP_REQUIRED' : null;
    case 'administrator with a fresh step-up':
      return null;
  }
}

interface Operation {
  method: string;
  path: string;
  access: AdminAccess | undefined;
}

let app: FastifyInstance;
const clock = new FakeClock(Date.UTC(2026, 11, 3, 9));
const cookies = new Map<Persona, string | undefined>();
let userId = '';
let organisationId = '';

async function person(
  role: Role,
  organisation: string | null,
  aal: 'aal1' | 'aal2',
  fresh = false,
) {
  const id = newId();
  const now = clock.now();
  await app.services.store.db
    .insertInto('accounts')
    .values({
      id,
      email: `${id.toLowerCase()}@clinic.example`,
      email_normalized: `${id.toLowerCase()}@clinic.example`,
      email_verified_at: now,
      password_hash: null,
      state: 'active',
      role,
      created_at: now,
      updated_at: now,
      phone_offer_dismissed_at: null,
      organisation_id: organisation,
      display_name: null,
      name_key: null,
      mfa_exempt_until: null,
    })
    .execute();
  const amr = [{ method: 'pwd', at: now }, ...(aal === 'aal2' ? [{ method: 'otp', at: now }] : [])];
  const { token } = await app.services.sessions.create({
    accountId: id,
    aal,
    amr: amr as never,
    origin: { ip: '203.0.113.9', userAgent: 'vitest' },
  });
  if (fresh)
    await app.services.store.db
      .updateTable('sessions')
      .set({ step_up_at: now })
      .where('account_id', '=', id)
      .execute();
  return { id, cookie: `${cookiePolicy(app.services.config.publicUrl).name}=${token}` };
}

async function organisation(name: string): Promise<string> {
  const id = newId();
  await app.services.store.db
    .insertInto('organisations')
    .values({ id, name, policy: null, created_at: clock.now(), updated_at: clock.now() })
    .execute();
  return id;
}

beforeAll(async () => {
  app = await build({ config: testConfig(), clock });
  organisationId = await organisation('North Clinic');
  const other = await organisation('South Clinic');
  userId = (await person('user', organisationId, 'aal2')).id;
  cookies.set('signed out', undefined);
  cookies.set('member', (await person('user', organisationId, 'aal2')).cookie);
  cookies.set('administrator at AAL1', (await person('admin', null, 'aal1')).cookie);
  cookies.set(
    'organisation administrator of another organisation',
    (await person('org_admin', other, 'aal2', true)).cookie,
  );
  cookies.set(
    "organisation administrator of the user's organisation",
    (await person('org_admin', organisationId, 'aal2')).cookie,
  );
  cookies.set(
    'administrator without a fresh step-up',
    (await person('admin', null, 'aal2')).cookie,
  );
  cookies.set(
    'administrator with a fresh step-up',
    (await person('admin', null, 'aal2', true)).cookie,
  );
});
afterAll(() => app?.close());

function adminOperations(): Operation[] {
  const doc = app.swagger() as unknown as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    if (path.startsWith('/api/v1/admin/'))
      for (const [method, op] of Object.entries(methods))
        out.push({ method: method.toUpperCase(), path, access: op[ACCESS_KEY] as AdminAccess });
  return out;
}

describe('every admin route, as every kind of caller', () => {
  it('finds the admin routes in the OpenAPI document, each with its access declared', () => {
    const ops = adminOperations();
    expect(ops.length).toBeGreaterThan(15);
    for (const op of ops) expect(op.access, `${op.method} ${op.path}`).toBeDefined();
    // A sample of what must be there: the console's users and their actions.
    const names = ops.map((o) => `${o.method} ${o.path}`);
    expect(names).toContain('GET /api/v1/admin/users');
    expect(names).toContain('POST /api/v1/admin/users/{userId}/mfa-exemption');
  });

  it('answers each caller as the route declares, before reading any input', async () => {
    const seen: string[] = [];
    for (const op of adminOperations()) {
      const url = op.path
        .replace('{userId}', userId)
        .replace('{accountId}', userId)
        .replace('{id}', organisationId);
      for (const persona of personas) {
        const cookie = cookies.get(persona);
        // No body: an answer past the guard is a validation error or the action's own answer.
        const res = await app.inject({
          method: op.method as 'GET',
          url,
          headers: { 'x-portcullis-csrf': '1', ...(cookie ? { cookie } : {}) },
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: { reason: 'test' } }),
        });
        const code =
          res.statusCode >= 400
            ? (res.json<{ error?: { code?: string } }>().error?.code ?? null)
            : null;
        const want = expected(persona, op.access!, op.path);
        const where = `${op.method} ${op.path} as ${persona}: ${res.statusCode} ${res.body.slice(0, 200)}`;
        expect(res.statusCode, where).toBeLessThan(500);
        if (want === null) expect(guardCodes, where).not.toContain(code);
        else expect(code, where).toBe(want);
        seen.push(where);
        // What an action let through changed is undone: the next caller meets the same user.
        await app.services.store.db
          .updateTable('accounts')
          .set({ organisation_id: organisationId, state: 'active', mfa_exempt_until: null })
          .where('id', '=', userId)
          .execute();
      }
    }
    expect(seen.length).toBeGreaterThan(100);
  });
});
