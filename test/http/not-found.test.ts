/**
 * A browser never sees raw JSON for a page address (issue 11, item 9): a request for an unknown
 * address that accepts `text/html` (a browser opening `/administrator`, a mistyped link) gets the hosted
 * pages' own not-found page with status 404 — the React app, whose router shows "Page not found"
 * — while API clients keep the JSON error: every path under `/api/`, and any request whose
 * `Accept` does not name `text/html` (`*\/*` included), or that is not a GET.
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './support.js';

/** What a browser sends when it opens an address. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const INDEX = '<!doctype html><html><body><div id="root"></div></body></html>';

let app: FastifyInstance;
beforeAll(async () => {
  const webDist = mkdtempSync(join(tmpdir(), 'portcullis-web-'));
  mkdirSync(join(webDist, 'assets'));
  writeFileSync(join(webDist, 'index.html'), INDEX);
  ({ app } = await buildApp({}, { webDist }));
});
afterAll(() => app?.close());

const get = (url: string, accept?: string) =>
  app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });

describe('an unknown address opened in a browser', () => {
  it.each([
    '/administrator',
    '/admin/users',
    '/no/such/page',
    '/account/nothing-here',
    '/sign-in/x?y=1',
  ])('%s answers 404 with the hosted pages (their not-found route), never JSON', async (url) => {
    const res = await get(url, BROWSER);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    expect(res.body).not.toContain('NOT_FOUND');
    // The same headers as every page (S26).
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('counts text/html whatever its place and case in Accept, unless refused with q=0', async () => {
    expect((await get('/administrator', 'application/json;q=0.5, TEXT/HTML')).body).toBe(INDEX);
    expect((await get('/administrator', 'text/*')).body).toBe(INDEX);
    expect((await get('/administrator', 'text/html;q=0')).json().error.code).toBe('NOT_FOUND');
  });
});

describe('API clients keep the JSON error', () => {
  it.each([
    ['an API path, even from a browser', '/api/v1/nothing', BROWSER],
    ['the API root', '/api/', BROWSER],
    ['Accept: application/json', '/administrator', 'application/json'],
    ['Accept: */* (curl)', '/administrator', '*/*'],
    ['no Accept at all', '/administrator', undefined],
  ])('%s', async (_what, url, accept) => {
    const res = await get(url, accept);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'There is nothing at this address.' },
    });
  });

  it('answers a POST to an unknown address with JSON, whatever it accepts', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/administrator',
      headers: { accept: BROWSER, 'x-portcullis-csrf': '1', 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
