/**
 * Every page the hosted app routes to is served with 200 (a page missing from `pageRoutes` would
 * still show, from the not-found fallback, but with a 404 status: a browser's history, a proxy's
 * cache and a monitor would all read it as gone). Read from `web/src/app.tsx` itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pageRoutes } from '../../src/http/pages.js';

const app = readFileSync(new URL('../../web/src/app.tsx', import.meta.url), 'utf8');
const routed = [...app.matchAll(/<Route\s+path="([^"*]+)"/g)].map((m) => `/${m[1]}`);

describe('the pages the server serves', () => {
  it('include every page the app routes to', () => {
    expect(routed.length).toBeGreaterThan(10);
    expect(routed.filter((path) => !pageRoutes.includes(path))).toEqual([]);
  });
});
