/**
 * A browser never sees raw JSON for a page address (issue 11, item 9), in real Chromium: an
 * unknown address (under the admin console's `/admin/` too) shows the hosted pages' "Page not
 * found" (status 404) in their own look, with a way back; an address under /api/ keeps its JSON
 * error, as API clients expect.
 */
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';

describe.skipIf(!browserAvailable())('unknown addresses', { timeout: 30_000 }, () => {
  const t = useBrowserSession();

  test.each(['/admin/nothing-here', '/no/such/page', '/account/nothing-here'])(
    '%s shows the pages’ own "Page not found" with status 404, never JSON',
    async (path) => {
      const response = await t.page.goto(`${t.server.url}${path}`);
      expect(response?.status()).toBe(404);
      await t.page.getByRole('heading', { name: 'Page not found' }).waitFor();
      expect(await t.page.title()).toContain('Page not found');
      const text = await t.page.locator('body').innerText();
      expect(text).not.toContain('NOT_FOUND');
      expect(text).not.toContain('{"error"');
      expect(new URL(t.page.url()).pathname).toBe(path); // the address stays as typed
    },
  );

  test('the way back leads to the account (sign-in for a visitor)', async () => {
    await t.page.goto(`${t.server.url}/no/such/page`);
    await t.page.getByRole('link', { name: 'Go to your account' }).click();
    await t.page.waitForURL('**/sign-in');
  });

  test('an address under /api/ keeps the JSON error', async () => {
    const response = await t.page.goto(`${t.server.url}/api/v1/admin`);
    expect(response?.status()).toBe(404);
    expect(JSON.parse(await t.page.locator('body').innerText())).toEqual({
      error: { code: 'NOT_FOUND', message: 'There is nothing at this address.' },
    });
  });
});
