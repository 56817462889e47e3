/**
 * The admin console's Applications page in real Chromium (issue 14): an administrator registers a
 * portal that will sign in through Portcullis, sees its client id and secret once, and the secret
 * works at the provider; removed (after a confirmation that says what will happen), it no longer
 * authenticates.
 */
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { describe, expect, test } from 'vitest';
import { adminAtAal2 } from '../helpers/admin.js';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import { newEmail } from './steps.js';

/** Whether the provider takes this client's credentials (an introspection it answers). */
async function authenticates(server: TestServer, clientId: string, secret: string) {
  const config = await oidc.discovery(new URL(server.url), clientId, secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  return oidc.tokenIntrospection(config, 'not-a-token').then(
    () => true,
    () => false,
  );
}

describe.skipIf(!browserAvailable())('registering an application', { timeout: 30_000 }, () => {
  const t = useBrowserSession();

  test('registers a portal, shows its secret once, and removes it', async () => {
    const admin = await adminAtAal2(t.server.app, newEmail('apps-admin'));
    const [name, value] = admin.c.cookie!.split('=') as [string, string];
    await t.context.addCookies([{ name, value, url: t.server.url }]);
    await t.page.goto(`${t.server.url}/admin/applications`);
    await t.page.getByRole('heading', { name: 'Applications' }).waitFor();
    await t.page.getByText('No application signs in through Portcullis yet.').waitFor();

    await t.page.getByLabel('Name').fill('Claims portal');
    await t.page.getByLabel('Redirect URIs').fill('ftp://claims.example/callback');
    await t.page.getByRole('button', { name: 'Register' }).click();
    await t.page.locator('#register-error').waitFor(); // refused, in words, nothing registered
    await t.page.getByLabel('Redirect URIs').fill('https://claims.example/callback');
    await t.page
      .getByLabel('Tell it when the user signs out (optional)')
      .fill('https://claims.example/backchannel-logout');
    await t.page.getByLabel('The least it accepts').selectOption({ label: 'Two factors' });
    await t.page.getByRole('button', { name: 'Register' }).click();

    await t.page.getByRole('heading', { name: 'Claims portal is registered' }).waitFor();
    await t.page.getByText('it is not shown again').waitFor();
    const clientId = (await t.page.getByTestId('client-id').textContent())!;
    const secret = (await t.page.getByTestId('client-secret').textContent())!;
    expect(await authenticates(t.server, clientId, secret)).toBe(true);
    await t.page.getByRole('button', { name: 'Done' }).click();
    await expect(t.page.getByTestId('client-secret').count()).resolves.toBe(0);

    const row = t.page.getByRole('row', { name: /Claims portal/ });
    await row.getByText('two factors').waitFor();
    await row.getByText('https://claims.example/backchannel-logout').waitFor();
    await row.getByRole('button', { name: 'Remove' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Remove Claims portal?' });
    await dialog.getByText('the tokens it holds stop working').waitFor();
    await dialog.getByRole('button', { name: 'Remove application' }).click();
    await t.page.getByText('Claims portal was removed.').waitFor();
    await t.page.getByText('No application signs in through Portcullis yet.').waitFor();
    expect(await authenticates(t.server, clientId, secret)).toBe(false);

    // A server that signs with its own key: its public JWKS pasted, no secret shown.
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    await t.page.getByLabel('Name').fill('Billing API');
    await t.page.getByLabel('Redirect URIs').fill('https://billing.example/callback');
    await t.page.getByLabel('With its own key (private_key_jwt)').check();
    await t.page.getByLabel('Its public keys (JWKS)').fill('not json');
    await t.page.getByRole('button', { name: 'Register' }).click();
    await t.page.getByText('Paste the application’s public keys as a JWKS').waitFor();
    await t.page
      .getByLabel('Its public keys (JWKS)')
      .fill(JSON.stringify({ keys: [await exportJWK(publicKey)] }));
    await t.page.getByLabel('ID tokens signed with').selectOption('RS256');
    await t.page.getByRole('button', { name: 'Register' }).click();
    await t.page.getByRole('heading', { name: 'Billing API is registered' }).waitFor();
    await t.page.getByText('it proves itself with its own key').waitFor();
    await t.page.getByRole('button', { name: 'Done' }).click();
    await t.page
      .getByRole('row', { name: /Billing API/ })
      .getByText('confidential (its own key), RS256')
      .waitFor();
  });
});
