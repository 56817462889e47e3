/**
 * `GET /api/v1/config` names the account page as the portal calls it: ACCOUNT_PAGE_TITLE, or the
 * preset's own (seed 000's "Account Management", seed 002's "My Details"); the pages' user menu
 * and the account page's heading use it.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from './support.js';

async function accountPageTitle(env: Record<string, string>): Promise<string> {
  const t = await buildApp(env);
  try {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/config' });
    expect(res.statusCode).toBe(200);
    return res.json<{ accountPageTitle: string }>().accountPageTitle;
  } finally {
    await t.app.close();
  }
}

describe("the account page's title", () => {
  it('is each preset’s own by default', async () => {
    expect(await accountPageTitle({ PORTCULLIS_POLICY: 'email-first' })).toBe('Account Management');
    expect(await accountPageTitle({ PORTCULLIS_POLICY: 'strong-mfa' })).toBe('Manage My Account');
    expect(await accountPageTitle({ PORTCULLIS_POLICY: 'sms-required' })).toBe('My Details');
  });

  it('is the portal’s own when ACCOUNT_PAGE_TITLE is set', async () => {
    expect(
      await accountPageTitle({
        PORTCULLIS_POLICY: 'strong-mfa',
        ACCOUNT_PAGE_TITLE: 'Manage My One Healthcare ID',
      }),
    ).toBe('Manage My One Healthcare ID');
  });
});
