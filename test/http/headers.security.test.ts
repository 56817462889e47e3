/**
 * S26 security headers on every kind of answer, and S16 session cookies: the `__Host-` prefix
 * and its attributes in production, the plain-http localhost exception in development, a token
 * of at least 128 bits that the database only ever holds as a hash.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionEnv } from '../helpers/config.js';
import type { OutgoingMessage, Sender } from '../../src/delivery/sender.js';
import {
  buildApp,
  CSRF,
  JSON_CSRF,
  PASSWORD,
  post,
  sessionCookie,
  signedInUser,
  signUp,
  snapshot,
  type SessionCookie,
  type TestApp,
  verifyEmailAndFinish,
} from './support.js';

const PRODUCTION = productionEnv;

const assetsDir = fileURLToPath(new URL('../../web/dist/assets', import.meta.url));
const anAsset = readdirSync(assetsDir).find((f) => f.endsWith('.js'));

function csp(res: LightMyRequestResponse): Map<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

function headerProblems(label: string, res: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const policy = csp(res);
  if (policy.size === 0) problems.push(`${label}: no Content-Security-Policy`);
  const scripts = policy.get('script-src') ?? policy.get('default-src');
  if (!scripts) problems.push(`${label}: CSP has neither script-src nor default-src`);
  else if (
    scripts.some((v) =>
      ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'data:'].includes(v),
    )
  ) {
    problems.push(`${label}: CSP script-src allows ${scripts.join(' ')}`);
  }
  const frames = policy.get('frame-ancestors');
  if (frames?.join(' ') !== "'none'")
    problems.push(
      `${label}: CSP frame-ancestors is ${frames?.join(' ') ?? 'missing'}, expected 'none'`,
    );
  if (res.headers['referrer-policy'] !== 'no-referrer')
    problems.push(`${label}: referrer-policy is ${String(res.headers['referrer-policy'])}`);
  if (res.headers['x-content-type-options'] !== 'nosniff')
    problems.push(
      `${label}: x-content-type-options is ${String(res.headers['x-content-type-options'])}`,
    );
  return problems;
}

/** An email sender that keeps what it is given (production has no development outbox). */
function capturingSender(): Sender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return { channel: 'email', provider: 'capture', sent, send: async (m) => void sent.push(m) };
}

async function signInThroughSender(
  app: FastifyInstance,
  sender: { sent: OutgoingMessage[] },
  email: string,
): Promise<LightMyRequestResponse> {
  await signUp(app, email);
  const start = await post(app, '/api/v1/sign-in', { email, password: PASSWORD });
  expect(start.statusCode).toBe(200);
  const code = sender.sent.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
  expect(code).toBeDefined();
  return verifyEmailAndFinish(app, {
    flow: start.json<{ flow: { flow: string } }>().flow.flow,
    code,
  });
}

function attributes(raw: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair = '', ...rest] = raw.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map(
    rest.filter(Boolean).map((a) => {
      const i = a.indexOf('=');
      return i === -1 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

describe('security headers (S26)', () => {
  let t: TestApp;
  let cookie: SessionCookie;

  beforeAll(async () => {
    t = await buildApp();
    cookie = (await signedInUser(t.app, 'headers@example.com')).cookie;
  });
  afterAll(() => t.app.close());

  const answers: [string, () => InjectOptions][] = [
    ['an API answer', () => ({ method: 'GET', url: '/api/v1/config' })],
    [
      'an authenticated API answer',
      () => ({ method: 'GET', url: '/api/v1/session', headers: { cookie: cookie.header } }),
    ],
    [
      'an API error',
      () => ({ method: 'POST', url: '/api/v1/sign-in', headers: JSON_CSRF, payload: '{bad' }),
    ],
    ['a refused cross-site request', () => ({ method: 'POST', url: '/api/v1/sign-out' })],
    ['a page (/sign-in)', () => ({ method: 'GET', url: '/sign-in' })],
    [
      'a page holding a token (/accept-invitation?token=…)',
      () => ({ method: 'GET', url: '/accept-invitation?token=abcdefghijklmnopqrstuvwxyz' }),
    ],
    ['a 404', () => ({ method: 'GET', url: '/no-such-page' })],
    ['an API 404', () => ({ method: 'GET', url: '/api/v1/no-such-route' })],
    ['the API docs (/api/docs)', () => ({ method: 'GET', url: '/api/docs' })],
    ['the OpenAPI document', () => ({ method: 'GET', url: '/api/openapi.json' })],
    ['a static asset', () => ({ method: 'GET', url: `/assets/${anAsset}` })],
    ['the health check', () => ({ method: 'GET', url: '/healthz' })],
    [
      'an answer to a URL the router cannot decode',
      () => ({ method: 'DELETE', url: '/api/v1/sessions/%zz', headers: CSRF }),
    ],
  ];

  it.each(answers)(
    'sends CSP without inline scripts, frame-ancestors none, no-referrer and nosniff on %s',
    async (label, request) => {
      const res = await t.app.inject(request());
      expect(res.statusCode).toBeLessThan(500);
      expect(headerProblems(label, res)).toEqual([]);
    },
  );

  it('sends Cache-Control: no-store on authenticated API answers', async () => {
    for (const url of ['/api/v1/session', '/api/v1/sessions']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: cookie.header } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const other = await signedInUser(t.app, 'headers-second@example.com');
    const ended = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/end-others',
      headers: { ...CSRF, cookie: other.cookie.header },
    });
    expect(ended.headers['cache-control']).toBe('no-store');
  });

  it('sends Cache-Control: no-store on the answer that sets the session cookie', async () => {
    await signUp(t.app, 'headers-third@example.com');
    const start = await post(t.app, '/api/v1/sign-in', {
      email: 'headers-third@example.com',
      password: PASSWORD,
    });
    expect(start.headers['cache-control']).toBe('no-store');
    const code = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/dev/outbox?to=headers-third@example.com&limit=1',
      })
    )
      .json<{ messages: { text: string }[] }>()
      .messages[0]!.text.match(/\d{6}/)![0];
    const done = await verifyEmailAndFinish(t.app, {
      flow: start.json<{ flow: { flow: string } }>().flow.flow,
      code,
    });
    expect(sessionCookie(done)).toBeDefined();
    expect(done.headers['cache-control']).toBe('no-store');
  });

  it('sends no HSTS outside production', async () => {
    for (const url of ['/api/v1/config', '/sign-in']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });
});

describe('production transport (S16, S26)', () => {
  let t: TestApp;
  const sender = capturingSender();

  beforeAll(async () => {
    t = await buildApp(PRODUCTION, { senders: [sender] });
  });
  afterAll(() => t.app.close());

  it('sends HSTS of at least a year on pages, API answers and errors', async () => {
    for (const url of ['/api/v1/config', '/sign-in', '/no-such-page', '/api/docs']) {
      const res = await t.app.inject({ method: 'GET', url });
      const hsts = String(res.headers['strict-transport-security'] ?? '');
      expect(hsts, url).toMatch(/max-age=\d+/);
      expect(Number(/max-age=(\d+)/.exec(hsts)![1]), url).toBeGreaterThanOrEqual(31_536_000);
    }
  });

  it('sets the session cookie as __Host-portcullis_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain', async () => {
    const done = await signInThroughSender(t.app, sender, 'prod-cookie@example.com');
    expect(done.statusCode).toBe(200);
    const cookie = sessionCookie(done)!;
    expect(cookie.name).toBe('__Host-portcullis_session');
    const { attrs } = attributes(cookie.raw);
    expect(attrs.has('secure')).toBe(true);
    expect(attrs.has('httponly')).toBe(true);
    expect(attrs.get('samesite')?.toLowerCase()).toBe('lax');
    expect(attrs.get('path')).toBe('/');
    expect(attrs.has('domain')).toBe(false);

    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: cookie.header },
    });
    expect(me.statusCode).toBe(200);
    // The unprefixed name is not accepted in production (a sibling subdomain could set it).
    const unprefixed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: `portcullis_session=${cookie.token}` },
    });
    expect(unprefixed.statusCode).toBe(401);

    // Clearing it at sign-out keeps the same prefix and attributes, or the browser would ignore it.
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sign-out',
      headers: { ...CSRF, cookie: cookie.header },
    });
    expect(out.statusCode).toBe(204);
    const cleared = attributes(([] as string[]).concat(out.headers['set-cookie'] ?? [])[0] ?? '');
    expect(cleared.name).toBe('__Host-portcullis_session');
    expect(cleared.value).toBe('');
    expect(cleared.attrs.has('secure')).toBe(true);
    expect(cleared.attrs.get('path')).toBe('/');
    expect(cleared.attrs.has('domain')).toBe(false);
  });
});

describe('development session cookie over plain-http localhost (S16)', () => {
  it('is portcullis_session without Secure but still HttpOnly, SameSite=Lax, Path=/', async () => {
    const t = await buildApp({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000' });
    try {
      const { cookie } = await signedInUser(t.app, 'dev-cookie@example.com');
      expect(cookie.name).toBe('portcullis_session');
      const { attrs } = attributes(cookie.raw);
      expect(attrs.has('secure')).toBe(false);
      expect(attrs.has('httponly')).toBe(true);
      expect(attrs.get('samesite')?.toLowerCase()).toBe('lax');
      expect(attrs.get('path')).toBe('/');
      expect(attrs.has('domain')).toBe(false);
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/config' });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await t.app.close();
    }
  });
});

describe('session tokens (S16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp();
  });
  afterAll(() => t.app.close());

  it('puts an opaque token of at least 128 bits in the cookie, new at every sign-in', async () => {
    const a = (await signedInUser(t.app, 'token-a@example.com')).cookie;
    const b = (await signedInUser(t.app, 'token-b@example.com')).cookie;
    for (const { token } of [a, b]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(a.token).not.toBe(b.token);
  });

  it('stores the token only as a hash: no table holds the token itself', async () => {
    const { cookie } = await signedInUser(t.app, 'token-hash@example.com');
    const sessions = await t.app.services.store.db.selectFrom('sessions').selectAll().execute();
    expect(sessions.length).toBeGreaterThan(0);
    for (const row of sessions) {
      expect(row.token_hash).not.toBe(cookie.token);
      for (const value of Object.values(row)) expect(String(value)).not.toContain(cookie.token);
    }
    expect(JSON.stringify(await snapshot(t.app))).not.toContain(cookie.token);
    // A row's hash, sent back as a cookie, is not a key to the session.
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: `portcullis_session=${sessions[0]!.token_hash}` },
    });
    expect(forged.statusCode).toBe(401);
  });
});
