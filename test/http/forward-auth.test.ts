/**
 * Forward-auth (issue 14): a reverse proxy in front of a portal on the same parent domain asks
 * `GET /api/v1/forward-auth` with the browser's cookie. Signed in: 200, and who and at what
 * assurance in headers the proxy passes on. Signed out: 401 with where to sign in, the page
 * wanted sent back only to a listed origin (no open redirect). Below `?acr=`: 403 with where to
 * step up. `?redirect=1` makes both a 303 for the browser. And with COOKIE_DOMAIN the session
 * cookie is the parent domain's (`__Secure-`, Domain=…), never `__Host-`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { cookiePolicy } from '../../src/http/session-cookie.js';
import { adminAtAal2 } from '../helpers/admin.js';
import { signedInClient } from '../helpers/client.js';
import { buildApp, errorCode, type TestApp } from './support.js';

const PORTAL = 'https://claims.clinic.example';
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await buildApp({ RETURN_TO_ORIGINS: `${PORTAL},https://billing.clinic.example` });
  base = t.app.services.config.publicUrl.origin;
});
afterAll(() => t.app.close());

/** What a Traefik-style proxy sends for the page `uri` of `host`. */
const forwarded = (host: string, uri: string) => ({
  'x-forwarded-proto': 'https',
  'x-forwarded-host': host,
  'x-forwarded-uri': uri,
});

const ask = (query = '', headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/v1/forward-auth${query}`, headers });

describe('forward-auth for a portal behind a proxy', () => {
  it('answers a signed-out browser 401, with the sign-in that comes back to the page wanted', async () => {
    const res = await ask('', forwarded('claims.clinic.example', '/patients?page=2'));
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    const signIn = new URL(String(res.headers['x-portcullis-sign-in']));
    expect(signIn.origin + signIn.pathname).toBe(`${base}/sign-in`);
    expect(signIn.searchParams.get('return_to')).toBe(`${PORTAL}/patients?page=2`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('never sends the browser back to an origin it does not list', async () => {
    for (const headers of [
      forwarded('evil.example', '/'),
      { 'x-original-url': 'https://claims.clinic.example.evil.example/' },
      { 'x-original-url': 'javascript:alert(1)' },
      { 'x-original-url': '//claims.clinic.example/' },
    ]) {
      const res = await ask('', headers);
      expect(res.headers['x-portcullis-sign-in']).toBe(`${base}/sign-in`);
    }
    // nginx's X-Original-URL on a listed origin is taken.
    const res = await ask('', { 'x-original-url': 'https://billing.clinic.example/claims/7' });
    expect(new URL(String(res.headers['x-portcullis-sign-in'])).searchParams.get('return_to')).toBe(
      'https://billing.clinic.example/claims/7',
    );
  });

  it('with ?redirect=1, sends the browser itself to the sign-in (303)', async () => {
    const res = await ask('?redirect=1', forwarded('claims.clinic.example', '/'));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `${base}/sign-in?return_to=${encodeURIComponent(`${PORTAL}/`)}`,
    );
  });

  it('answers a signed-in browser 200 with who it is and at what assurance, in headers', async () => {
    const user = await signedInClient(t.app, 'nia@clinic.org');
    const account = (await t.app.services.accounts.findByEmail('nia@clinic.org'))!;
    const res = await ask('', { cookie: user.cookie! });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'x-portcullis-user': account.id,
      'x-portcullis-email': 'nia@clinic.org',
      'x-portcullis-aal': 'aal1',
      'x-portcullis-acr': 'urn:portcullis:aal1',
      'x-portcullis-amr': 'pwd',
      'cache-control': 'no-store',
    });
    expect(res.json()).toEqual({
      user: { id: account.id, email: 'nia@clinic.org' },
      aal: 'aal1',
      acr: 'urn:portcullis:aal1',
      amr: ['pwd'],
    });

    // Signed out since: 401 at once.
    await user.post('/api/v1/sign-out');
    expect((await ask('', { cookie: user.cookie ?? '' })).statusCode).toBe(401);
  });

  it('asks an AAL1 session to step up when ?acr= needs two factors, and lets AAL2 through', async () => {
    const user = await signedInClient(t.app, 'oli@clinic.org');
    const res = await ask('?acr=urn:portcullis:aal2', {
      cookie: user.cookie!,
      ...forwarded('claims.clinic.example', '/claims'),
    });
    expect(res.statusCode).toBe(403);
    expect(errorCode(res)).toBe('AAL2_REQUIRED');
    const stepUp = new URL(String(res.headers['x-portcullis-step-up']));
    expect(stepUp.pathname).toBe('/sign-in/step-up');
    expect(stepUp.searchParams.get('return_to')).toBe(`${PORTAL}/claims`);
    expect(stepUp.searchParams.get('acr')).toBe('urn:portcullis:aal2');

    const admin = await adminAtAal2(t.app, 'pia@clinic.org');
    const strong = await ask('?acr=urn:portcullis:aal2', { cookie: admin.c.cookie! });
    expect(strong.statusCode).toBe(200);
    expect(strong.headers['x-portcullis-amr']).toBe('pwd otp mfa');
  });

  it('refuses an acr it does not know', async () => {
    expect((await ask('?acr=urn:other:gold')).statusCode).toBe(400);
  });
});

describe('the session cookie for portals on the parent domain', () => {
  const env = (extra: Record<string, string>) => ({
    NODE_ENV: 'development',
    PUBLIC_URL: 'https://id.clinic.example',
    SECRET_KEY: 'x'.repeat(40),
    ...extra,
  });

  it('is host-only (__Host-) unless COOKIE_DOMAIN is set; then __Secure- with that Domain', () => {
    const plain = loadConfig(env({}));
    expect(cookiePolicy(plain.publicUrl, plain.portals.cookieDomain)).toEqual({
      name: '__Host-portcullis_session',
      secure: true,
    });
    const shared = loadConfig(env({ COOKIE_DOMAIN: 'clinic.example' }));
    expect(cookiePolicy(shared.publicUrl, shared.portals.cookieDomain)).toEqual({
      name: '__Secure-portcullis_session',
      secure: true,
      domain: 'clinic.example',
    });
  });

  it('refuses a COOKIE_DOMAIN that is not PUBLIC_URL’s, and return origins that are not bare https', () => {
    expect(() => loadConfig(env({ COOKIE_DOMAIN: 'evil.example' }))).toThrow(/COOKIE_DOMAIN/);
    expect(() => loadConfig(env({ RETURN_TO_ORIGINS: 'https://a.example/path' }))).toThrow(
      /bare origins/,
    );
    expect(() => loadConfig(env({ RETURN_TO_ORIGINS: 'http://a.example' }))).toThrow(/https/);
  });
});
