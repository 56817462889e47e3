/**
 * A portal behind a proxy using forward-auth (issue 14), in real Chromium: the proxy turned a
 * signed-out visitor to Portcullis's sign-in with `return_to` the page they wanted; once signed
 * in, the browser is back on that page of the portal (its origin is in RETURN_TO_ORIGINS), and the
 * proxy's forward-auth call with the browser's cookie answers 200. An origin not listed is never
 * returned to: the user lands on their account instead.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import { freePort } from '../helpers/processes.js';
import { activeUserThroughApi, goodPassword, newEmail, submitSignIn } from './steps.js';

const portalPort = await freePort();
const PORTAL = `http://127.0.0.1:${portalPort}`;

describe.skipIf(!browserAvailable())(
  'a portal behind a proxy (forward-auth)',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ RETURN_TO_ORIGINS: PORTAL });
    let portal: Server;
    beforeAll(async () => {
      portal = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!doctype html><title>Claims</title><h1>Claims portal: ${req.url}</h1>`);
      });
      await new Promise<void>((resolve) => portal.listen(portalPort, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => portal.close(() => resolve())));

    test('sends the user back to the page they wanted, where forward-auth now knows them', async () => {
      const email = newEmail('forward-auth');
      await activeUserThroughApi(t.server, email);
      const wanted = `${PORTAL}/patients?page=2`;
      await t.page.goto(`${t.server.url}/sign-in?return_to=${encodeURIComponent(wanted)}`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL(wanted);
      await t.page.getByRole('heading', { name: 'Claims portal: /patients?page=2' }).waitFor();

      // What the proxy asks with the browser's cookie (the portal shares the parent domain).
      const cookies = await t.context.cookies(t.server.url);
      const check = await fetch(`${t.server.url}/api/v1/forward-auth`, {
        headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      });
      expect(check.status).toBe(200);
      expect(check.headers.get('x-portcullis-email')).toBe(email);
    });

    test('never returns to an origin it does not list', async () => {
      const email = newEmail('forward-auth-evil');
      await activeUserThroughApi(t.server, email);
      await t.page.goto(
        `${t.server.url}/sign-in?return_to=${encodeURIComponent('http://evil.example/patients')}`,
      );
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account');
      expect(new URL(t.page.url()).origin).toBe(t.server.url);
    });
  },
);
