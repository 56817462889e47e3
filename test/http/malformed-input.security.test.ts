/**
 * S7: every route the OpenAPI document lists gets malformed bodies, odd query strings and odd
 * path parameters, from a signed-out and a signed-in client. Every answer must be a 4xx with
 * `{ error: { code, message } }`, a registered code, and nothing internal in the body. The last
 * tests check that nothing in the document was skipped and that no API route hides from it.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  CSRF,
  errorAnswerProblems,
  errorCode,
  openApiRoutes,
  signedInUser,
  validBody,
  wrongTypeValues,
  type OpenApiRoute,
  type SignedIn,
  type TestApp,
} from './support.js';

interface Probe {
  label: string;
  request: InjectOptions;
  /** The code the API documents for this mistake; any registered 4xx code when absent. */
  expectCode?: string;
  /** For validation failures: the field the error must name. */
  expectField?: string;
}

const t: TestApp = await buildApp();
const routes: OpenApiRoute[] = await openApiRoutes(t.app);
const bodyLimit = t.app.services.config.bodyLimitBytes;
const covered = new Map<string, Set<string>>([
  ['signed-out', new Set()],
  ['signed-in', new Set()],
]);

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

function bodyProbes(route: OpenApiRoute): Probe[] {
  const url = route.url();
  const method = route.method as InjectOptions['method'];
  const send = (
    label: string,
    payload: string | undefined,
    contentType: string | undefined,
    rest: Omit<Probe, 'label' | 'request'> = {},
  ): Probe => ({
    label,
    request: {
      method,
      url,
      headers: { ...CSRF, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload !== undefined ? { payload } : {}),
    },
    ...rest,
  });
  const json = 'application/json';
  const firstProp = Object.keys(route.bodySchema?.properties ?? {})[0] ?? 'padding';
  const probes: Probe[] = [
    send('invalid JSON text', '{bad', json, { expectCode: 'MALFORMED_JSON' }),
    send('truncated JSON', '{"a": "b"', json, { expectCode: 'MALFORMED_JSON' }),
    send(
      `a body over BODY_LIMIT_BYTES (${bodyLimit + 1} bytes)`,
      JSON.stringify({ [firstProp]: 'x'.repeat(bodyLimit + 1) }),
      json,
      { expectCode: 'BODY_TOO_LARGE' },
    ),
    send('a text/plain body', 'hello', 'text/plain', { expectCode: 'UNSUPPORTED_MEDIA_TYPE' }),
    send('a form-encoded body', 'a=b', 'application/x-www-form-urlencoded', {
      expectCode: 'UNSUPPORTED_MEDIA_TYPE',
    }),
    send('a multipart body', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x', {
      expectCode: 'UNSUPPORTED_MEDIA_TYPE',
    }),
  ];
  const schema = route.bodySchema;
  if (!schema) return probes;

  probes.push(
    send('an empty JSON body', '', json, { expectCode: 'MALFORMED_JSON' }),
    send('a JSON array', '[]', json, { expectCode: 'VALIDATION_FAILED' }),
    send('a JSON array of objects', JSON.stringify([validBody(schema)]), json, {
      expectCode: 'VALIDATION_FAILED',
    }),
    send('a JSON string', '"text"', json, { expectCode: 'VALIDATION_FAILED' }),
    send('a JSON number', '42', json, { expectCode: 'VALIDATION_FAILED' }),
    send('JSON null', 'null', json, { expectCode: 'VALIDATION_FAILED' }),
    send('a body without a content type', JSON.stringify(validBody(schema)), undefined),
    send(
      'a prototype-polluting __proto__ key',
      JSON.stringify(validBody(schema)).replace(/^\{/, '{"__proto__":{"admin":true},'),
      json,
    ),
    send(
      'a constructor.prototype key',
      JSON.stringify({ ...validBody(schema), constructor: { prototype: { admin: true } } }),
      json,
    ),
    send(
      'an unknown extra field',
      JSON.stringify({ ...validBody(schema), unexpected: 'x' }),
      json,
      { expectCode: 'VALIDATION_FAILED', expectField: 'unexpected' },
    ),
  );
  if (schema.required?.length)
    probes.push(
      send('an empty object', '{}', json, {
        expectCode: 'VALIDATION_FAILED',
        expectField: schema.required[0],
      }),
    );
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    for (const wrong of wrongTypeValues(prop)) {
      probes.push(
        send(
          `"${name}" as ${JSON.stringify(wrong)}`,
          JSON.stringify({ ...validBody(schema), [name]: wrong }),
          json,
          {
            expectCode: 'VALIDATION_FAILED',
            expectField: name,
          },
        ),
      );
    }
    if (prop.maxLength !== undefined) {
      probes.push(
        send(
          `"${name}" over its maxLength`,
          JSON.stringify({ ...validBody(schema), [name]: 'x'.repeat(prop.maxLength + 1) }),
          json,
          {
            expectCode: 'VALIDATION_FAILED',
            expectField: name,
          },
        ),
      );
    }
  }
  return probes;
}

function queryProbes(route: OpenApiRoute): { probes: Probe[]; strict: boolean } {
  const base = route.url();
  const get = (
    label: string,
    query: string,
    rest: Omit<Probe, 'label' | 'request'> = {},
  ): Probe => ({
    label,
    request: { method: 'GET', url: `${base}?${query}` },
    ...rest,
  });
  const declared = (route.operation.parameters ?? []).filter((p) => p.in === 'query');
  // Routes that declare a query string reject what they do not declare; others may ignore it.
  const strict = declared.length > 0;
  const unknown = strict ? { expectCode: 'VALIDATION_FAILED' } : {};
  const probes: Probe[] = [
    get('an unknown parameter', 'unexpected=1', unknown),
    get('a bracketed parameter', 'a[b]=1', unknown),
    get('a prototype-polluting parameter', '__proto__[admin]=1', unknown),
    get('a constructor parameter', 'constructor[prototype][admin]=1', unknown),
    get('bad percent-encoding', '%zz=%E0%A4%A', unknown),
    get('empty pairs', '&&=&', {}),
    get('a NUL byte', 'x=%00', unknown),
    get('a long parameter', `q=${'a'.repeat(4000)}`, unknown),
  ];
  for (const p of declared) {
    probes.push(
      get(`"${p.name}" given twice`, `${p.name}=1&${p.name}=2`, {
        expectCode: 'VALIDATION_FAILED',
        expectField: p.name,
      }),
    );
    probes.push(
      get(`"${p.name}" as an array`, `${p.name}[]=1`, { expectCode: 'VALIDATION_FAILED' }),
    );
    if (p.schema.maxLength !== undefined) {
      probes.push(
        get(`"${p.name}" over its maxLength`, `${p.name}=${'9'.repeat(p.schema.maxLength + 1)}`, {
          expectCode: 'VALIDATION_FAILED',
          expectField: p.name,
        }),
      );
    }
    if (p.schema.pattern !== undefined) {
      probes.push(
        get(`"${p.name}" not matching ${p.schema.pattern}`, `${p.name}=-1x`, {
          expectCode: 'VALIDATION_FAILED',
          expectField: p.name,
        }),
      );
    }
  }
  return { probes, strict };
}

function pathProbes(route: OpenApiRoute): Probe[] {
  if (!/\{[^}]+\}/.test(route.path)) return [];
  const method = route.method as InjectOptions['method'];
  const at = (label: string, url: string): Probe => ({
    label,
    request: { method, url, headers: CSRF },
  });
  return [
    at('a dummy path parameter', route.url('dummy-id')),
    at('an overlong path parameter', route.url('a'.repeat(300))),
    at('a path parameter with bad percent-encoding', route.path.replace(/\{[^}]+\}/g, '%zz')),
    at(
      'a path parameter with a truncated UTF-8 escape',
      route.path.replace(/\{[^}]+\}/g, '%E0%A4%A'),
    ),
    at(
      'a path parameter with an encoded traversal',
      route.path.replace(/\{[^}]+\}/g, '..%2F..%2Fadmin'),
    ),
    at('a path parameter with an encoded NUL', route.path.replace(/\{[^}]+\}/g, 'x%00y')),
  ];
}

function check(
  res: Awaited<ReturnType<FastifyInstance['inject']>>,
  probe: Probe,
  where: string,
): string[] {
  const label = `${where} with ${probe.label}`;
  const problems = errorAnswerProblems(label, res);
  const code = errorCode(res);
  // A signed-out client may be refused for want of a session before its body is looked at, and
  // an admin route refuses anyone but an administrator before any of its input is read.
  // A body that is or holds a policy document is answered POLICY_INVALID, naming every problem.
  const policyInvalid = probe.expectCode === 'VALIDATION_FAILED' && code === 'POLICY_INVALID';
  const guarded =
    where.includes(' /api/v1/admin/') && (code === 'UNAUTHENTICATED' || code === 'ADMIN_REQUIRED');
  if (probe.expectCode && code !== probe.expectCode && !policyInvalid && !guarded)
    problems.push(
      `${label}: code ${code}, expected ${probe.expectCode} (${res.statusCode} ${res.body.slice(0, 160)})`,
    );
  if (probe.expectField && code === 'VALIDATION_FAILED') {
    const field = (res.json<{ error: { details?: { field?: unknown } } }>().error.details ?? {})
      .field;
    if (field !== probe.expectField)
      problems.push(`${label}: details.field is ${String(field)}, expected ${probe.expectField}`);
  }
  return problems;
}

describe.each(['signed-out', 'signed-in'] as const)(
  'malformed input from a %s client (S7)',
  (client) => {
    let user: SignedIn | undefined;
    let users = 0;

    /** The signed-in client's cookie, signing in again if a probe ended the session. */
    async function cookieHeader(): Promise<Record<string, string>> {
      if (client === 'signed-out') return {};
      if (user) {
        const alive = await t.app.inject({
          method: 'GET',
          url: '/api/v1/session',
          headers: { cookie: user.cookie.header },
        });
        if (alive.statusCode === 200) return { cookie: user.cookie.header };
      }
      user = await signedInUser(t.app, `malformed-${++users}@example.com`);
      return { cookie: user.cookie.header };
    }

    async function run(
      probe: Probe,
      route: OpenApiRoute,
    ): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
      const request = {
        ...probe.request,
        headers: { ...(probe.request.headers ?? {}), ...(await cookieHeader()) },
      } as InjectOptions;
      return t.app.inject(request).then((res) => {
        covered.get(client)!.add(routeKey(route));
        return res;
      });
    }

    beforeAll(async () => {
      if (client === 'signed-in') await cookieHeader();
    });

    it.each(routes.filter((r) => r.method !== 'GET').map((r) => [routeKey(r), r] as const))(
      'answers every malformed body sent to %s with a registered 4xx error',
      async (name, route) => {
        const problems: string[] = [];
        for (const probe of bodyProbes(route)) {
          const res = await run(probe, route);
          if (client === 'signed-out' && res.statusCode === 401 && !probe.expectCode) continue;
          problems.push(...check(res, probe, `${client} ${name}`));
        }
        expect(problems).toEqual([]);
      },
    );

    it.each(routes.filter((r) => r.method === 'GET').map((r) => [routeKey(r), r] as const))(
      'never answers an odd query string sent to %s with a 5xx or a malformed error',
      async (name, route) => {
        const problems: string[] = [];
        const { probes } = queryProbes(route);
        for (const probe of probes) {
          const res = await run(probe, route);
          const label = `${client} ${name} with ${probe.label}`;
          if (res.statusCode >= 500)
            problems.push(`${label}: answered ${res.statusCode} ${res.body.slice(0, 200)}`);
          else if (res.statusCode >= 400 || probe.expectCode)
            problems.push(...check(res, probe, `${client} ${name}`));
        }
        expect(problems).toEqual([]);
      },
    );

    it.each(routes.filter((r) => r.path.includes('{')).map((r) => [routeKey(r), r] as const))(
      'answers odd path parameters sent to %s with a registered 4xx error',
      async (name, route) => {
        const problems: string[] = [];
        for (const probe of pathProbes(route))
          problems.push(...check(await run(probe, route), probe, `${client} ${name}`));
        expect(problems).toEqual([]);
      },
    );
  },
);

describe('coverage of the malformed-input tests', () => {
  afterAll(() => t.app.close());

  it('found the routes it should in the OpenAPI document', () => {
    const keys = routes.map(routeKey);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/v1/sign-up',
        'POST /api/v1/sign-in',
        'GET /api/v1/session',
        'DELETE /api/v1/sessions/{id}',
      ]),
    );
  });

  it('probed every path and method of the OpenAPI document, signed out and signed in', () => {
    const all = routes.map(routeKey).sort();
    expect([...covered.get('signed-out')!].sort()).toEqual(all);
    expect([...covered.get('signed-in')!].sort()).toEqual(all);
  });

  it('lists every registered /api/v1 route in the OpenAPI document, so none escapes these tests', () => {
    const inDoc = new Set(
      routes.map((r) => `${r.method} ${r.path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    const registered = registeredRoutes(t.app).filter(
      (r) => r.path.startsWith('/api/v1/') && r.method !== 'HEAD',
    );
    expect(registered.length).toBeGreaterThan(5);
    expect(registered.map(routeKey).filter((k) => !inDoc.has(k))).toEqual([]);
  });
});

/** Every method + path Fastify has registered, read from its route tree. */
function registeredRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      out.push({ method, path: stack.join('') });
  }
  return out;
}
