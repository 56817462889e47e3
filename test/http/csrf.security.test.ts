/**
 * S18: every state-changing route in the OpenAPI document needs the X-Portcullis-CSRF header,
 * and a browser's Origin / Sec-Fetch-Site must name the portal itself. Refused requests change
 * nothing, and no GET changes state.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildApp,
  errorCode,
  openApiRoutes,
  PASSWORD,
  signedInUser,
  snapshot,
  STATE_CHANGING,
  validBody,
  type OpenApiRoute,
  type SignedIn,
  type TestApp,
} from './support.js';

const probe = await buildApp();
const routes = await openApiRoutes(probe.app);
await probe.app.close();
const stateChanging = routes.filter((r) => STATE_CHANGING.has(r.method));
const getRoutes = routes.filter((r) => r.method === 'GET');
const named = (list: OpenApiRoute[]) => list.map((r) => [`${r.method} ${r.path}`, r] as const);

/** A body the route would act on, so a refusal is the only thing standing in the way. */
function bodyFor(route: OpenApiRoute, user: SignedIn): unknown {
  if (!route.bodySchema) return undefined;
  if (route.path === '/api/v1/sign-up')
    return { email: 'csrf-newcomer@example.com', password: PASSWORD };
  if (route.path === '/api/v1/sign-in') return { email: user.email, password: PASSWORD };
  return validBody(route.bodySchema);
}

describe('CSRF protection of state-changing routes (S18)', () => {
  let t: TestApp;
  let user: SignedIn;
  let sessionId: string;
  let origin: string;

  async function setUp() {
    // Password hashing is not under test here; cheap parameters keep a fresh app per test fast.
    t = await buildApp({}, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
    origin = t.app.services.config.publicUrl.origin;
    user = await signedInUser(t.app, 'csrf-user@example.com');
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: user.cookie.header },
    });
    sessionId = me.json<{ session: { id: string } }>().session.id;
  }

  /** Whether the user's session still answers (a refused request must not have ended it). */
  const sessionStatus = async () =>
    (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie: user.cookie.header },
      })
    ).statusCode;

  function request(route: OpenApiRoute, headers: Record<string, string>): InjectOptions {
    const body = bodyFor(route, user);
    return {
      method: route.method as InjectOptions['method'],
      url: route.url(sessionId),
      headers: {
        cookie: user.cookie.header,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    };
  }

  /** Each way a request can fail the check, given the portal's own origin. */
  const refusals = (own: string): [string, Record<string, string>][] => [
    ['without the X-Portcullis-CSRF header', {}],
    ['with X-Portcullis-CSRF set to something other than 1', { 'x-portcullis-csrf': 'true' }],
    ['from a foreign Origin', { 'x-portcullis-csrf': '1', origin: 'https://evil.example' }],
    [
      'from an Origin that only starts like ours',
      { 'x-portcullis-csrf': '1', origin: `${own}.evil.example` },
    ],
    ['from our Origin with a path', { 'x-portcullis-csrf': '1', origin: `${own}/` }],
    [
      'from our host over another scheme',
      { 'x-portcullis-csrf': '1', origin: own.replace(/^http:/, 'https:') },
    ],
    [
      'from our host on another port',
      { 'x-portcullis-csrf': '1', origin: `${own.replace(/:\d+$/, '')}:9` },
    ],
    ['from an opaque (null) Origin', { 'x-portcullis-csrf': '1', origin: 'null' }],
    [
      'with Sec-Fetch-Site: cross-site',
      { 'x-portcullis-csrf': '1', 'sec-fetch-site': 'cross-site' },
    ],
    ['with Sec-Fetch-Site: same-site', { 'x-portcullis-csrf': '1', 'sec-fetch-site': 'same-site' }],
    [
      'with our Origin but Sec-Fetch-Site: cross-site',
      { 'x-portcullis-csrf': '1', origin: own, 'sec-fetch-site': 'cross-site' },
    ],
  ];

  // Refused requests change nothing (each test checks so): one app serves them all.
  describe('refused', () => {
    beforeAll(setUp);
    afterAll(() => t.app.close());

    it.each(named(stateChanging))(
      'refuses %s with 403 CSRF_CHECK_FAILED on every failed check, and changes nothing',
      async (_name, route) => {
        const before = await snapshot(t.app);
        for (const [label, headers] of refusals(origin)) {
          const res = await t.app.inject(request(route, headers));
          expect({ label, status: res.statusCode, code: errorCode(res) }).toEqual({
            label,
            status: 403,
            code: 'CSRF_CHECK_FAILED',
          });
          expect(res.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(
            10,
          );
        }
        expect(await snapshot(t.app)).toEqual(before);
        expect(await sessionStatus()).toBe(200);
      },
    );
  });

  describe('let through', () => {
    beforeEach(setUp);
    afterEach(() => t.app.close());

    it.each(named(stateChanging))(
      'lets %s through with the header and the portal’s own origin',
      async (_name, route) => {
        const allowed: Record<string, string>[] = [
          { 'x-portcullis-csrf': '1' },
          { 'x-portcullis-csrf': '1', origin },
          { 'x-portcullis-csrf': '1', origin, 'sec-fetch-site': 'same-origin' },
          { 'x-portcullis-csrf': '1', 'sec-fetch-site': 'none' },
        ];
        for (const headers of allowed) {
          const res = await t.app.inject(request(route, headers));
          expect(
            errorCode(res),
            `${JSON.stringify(headers)} → ${res.statusCode} ${res.body}`,
          ).not.toBe('CSRF_CHECK_FAILED');
        }
      },
    );

    it('checks the Origin against PUBLIC_URL, not a fixed value', async () => {
      const other = await buildApp({ PUBLIC_URL: 'https://id.portal.example' });
      try {
        const body = JSON.stringify({ email: 'someone@example.com', password: PASSWORD });
        const send = (o: string) =>
          other.app.inject({
            method: 'POST',
            url: '/api/v1/sign-in',
            headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1', origin: o },
            payload: body,
          });
        expect(errorCode(await send('http://localhost:3000'))).toBe('CSRF_CHECK_FAILED');
        expect(errorCode(await send('https://id.portal.example'))).toBe('INVALID_CREDENTIALS');
      } finally {
        await other.app.close();
      }
    });

    it('does not end the session on GET or HEAD of the sign-out route', async () => {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({
          method,
          url: '/api/v1/sign-out',
          headers: { cookie: user.cookie.header },
        });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      expect(await sessionStatus()).toBe(200);
    });

    it('changes no state on GET of any documented route, nor on GET of a state-changing route', async () => {
      const before = await snapshot(t.app);
      for (const route of [...getRoutes, ...stateChanging]) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await t.app.inject({
            method,
            url: route.url(sessionId),
            headers: { cookie: user.cookie.header },
          });
          expect(res.statusCode, `${method} ${route.path}`).toBeLessThan(500);
          if (STATE_CHANGING.has(route.method))
            expect(res.statusCode, `${method} ${route.path}`).toBeGreaterThanOrEqual(400);
        }
      }
      // Method overrides are not honoured either.
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/sign-out?_method=POST',
        headers: { cookie: user.cookie.header, 'x-http-method-override': 'POST' },
      });
      expect(await snapshot(t.app)).toEqual(before);
      expect(await sessionStatus()).toBe(200);
    });

    it('covers every state-changing route of the OpenAPI document', () => {
      expect(stateChanging.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([
          'POST /api/v1/sign-up',
          'POST /api/v1/sign-in',
          'POST /api/v1/sign-out',
          'DELETE /api/v1/sessions/{id}',
          'POST /api/v1/admin/invitations',
        ]),
      );
      expect(routes.every((r) => r.method === 'GET' || STATE_CHANGING.has(r.method))).toBe(true);
    });
  });
});
