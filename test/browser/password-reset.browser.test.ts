/**
 * "Forgot your password?" in real Chromium. Seed 000 (email-first): "if you forgot your password
 * … and you are not currently logged in … you will only have the option to verify your identity
 * through email" — a code from the outbox, a new password, back to sign in. Seed 001
 * (strong-mfa): email is no longer a recovery method — the recovery code, then the authenticator
 * app, then a new password and a new recovery code to save; the next sign-in still asks for the
 * app. And a passkey as the second proof, with Chromium's virtual authenticator (CDP).
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import { strongMfaWithoutMinimum } from '../helpers/config.js';
import type { TestServer } from '../helpers/server.js';
import {
  activeUserThroughApi,
  authenticatorThroughApi,
  enterCode,
  expectAlert,
  goodPassword,
  newEmail,
  nextTotpCode,
  signUpThroughApi,
  submitCode,
  submitSignIn,
  openAccountPage,
} from './steps.js';

const newPassword = 'copper-lantern-meadow-violin-7';

/** POSTs to the public API as a page would; throws on an error answer. */
async function post<T>(server: TestServer, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Portcullis-CSRF': '1', Origin: server.url },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A strong-mfa user's first sign-in through the API; returns the recovery code it showed. */
async function strongMfaUserWithCode(server: TestServer, email: string): Promise<string> {
  await signUpThroughApi(server, email);
  type Answer = { flow: { flow: string; recoveryCode: { code: string } | null } };
  const started = await post<Answer>(server, '/sign-in', { email, password: goodPassword });
  const saveStep = await post<Answer>(server, '/sign-in/verify-email', {
    flow: started.flow.flow,
    code: await server.latestCode(email),
  });
  const code = saveStep.flow.recoveryCode?.code;
  if (!code) throw new Error('expected a recovery code to save');
  await post(server, '/sign-in/recovery-code-saved', { flow: started.flow.flow });
  return code;
}

describe.skipIf(!browserAvailable())(
  'seed 000: a forgotten password, verified through email',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    test('resets the password with the emailed code and signs in with the new one', async () => {
      const email = newEmail('reset000');
      await activeUserThroughApi(t.server, email);
      const { page } = t;

      await page.goto(`${t.server.url}/sign-in`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL('**/forgot-password');
      await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
      await page.getByText('we send a verification code to it').waitFor();
      // Email is the only way here: no choice is offered.
      expect(await page.getByRole('radio').count()).toBe(0);

      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText(`If ${email} belongs to an account, we sent a six-digit`).waitFor();

      // A wrong code first: the page says so and how many tries are left.
      await submitCode(page, '000000');
      await expectAlert(page, /not right.*4 tries left/);
      await submitCode(page, await t.server.latestCode(email));

      await page.getByLabel('Choose a password').waitFor();
      expect(await page.getByLabel('Sign me out on every device').isChecked()).toBe(true);
      await page.getByLabel('Choose a password').fill('short');
      await page.getByRole('button', { name: 'Change password' }).click();
      await expectAlert(page, /at least 12 characters/);
      await page.getByLabel('Choose a password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();

      // Not signed in: back to the sign-in page, told what happened, the email filled in.
      await page.waitForURL('**/sign-in');
      await page
        .getByRole('status')
        .filter({ hasText: 'Your password is changed. Sign in with your new password.' })
        .waitFor();
      expect(await page.getByLabel('Email address').inputValue()).toBe(email);
      await page.getByLabel('Password', { exact: true }).fill(newPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL('**/account');

      const [notice] = await t.server.outbox(email);
      expect(notice?.text).toContain('Your password was reset');
    });

    test('an address with no account sees the same page, and a reload keeps the step', async () => {
      const { page } = t;
      await page.goto(`${t.server.url}/forgot-password`);
      await page.getByLabel('Email address').fill('nobody@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page
        .getByText('If nobody@example.com belongs to an account, we sent a six-digit')
        .waitFor();
      await page.reload();
      await page.getByLabel('Verification code').waitFor();
      await submitCode(page, '123456');
      await expectAlert(page, /not right.*4 tries left/);
      expect(await t.server.outbox('nobody@example.com')).toEqual([]);
    });
  },
);

describe.skipIf(!browserAvailable())(
  'seed 001: account recovery with the recovery code and the authenticator app',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: strongMfaWithoutMinimum() });

    test('recovery code, then the app, then a new password and a new recovery code to save', async () => {
      const email = newEmail('reset001');
      const recoveryCode = await strongMfaUserWithCode(t.server, email);
      const key = await authenticatorThroughApi(t.server, email);
      const { page } = t;

      await page.goto(`${t.server.url}/sign-in`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByText('Email can no longer be used to recover your account.').waitFor();
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByLabel('Recovery code').fill('1111 2222 3333 4444');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectAlert(page, /recovery code is not right/);
      await page.getByLabel('Recovery code').fill(recoveryCode);
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByText('Your recovery code is right. Now confirm it is you.').waitFor();
      await enterCode(page, 'Code', 'Verify Code', nextTotpCode(t.server, key));

      await page.getByLabel('Choose a password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();

      // The code that was used no longer works: a new one to save.
      await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
      await page.getByText('Your recovery code was used, so it no longer works.').waitFor();
      const shown = await page.locator('.recovery-code').first().textContent();
      expect(shown?.trim()).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(shown?.trim()).not.toBe(recoveryCode);
      await page.getByLabel('I have saved my recovery code').check();
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.waitForURL('**/sign-in');
      await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
      await submitSignIn(page, email, newPassword);
      // The reset did not lift the second factor.
      await page.waitForURL('**/sign-in/code');
      await enterCode(page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await page.waitForURL('**/account');
    });
  },
);

describe.skipIf(!browserAvailable())(
  'changing the password from the security page',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    test('verifies by email, takes the current and new password, and lists it under Activity', async () => {
      const email = newEmail('change');
      await activeUserThroughApi(t.server, email);
      const { page } = t;
      await page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(page, email, goodPassword);
      await page.waitForURL('**/account');
      await page.goto(`${t.server.url}/account/security`);
      await page.getByRole('tab', { name: 'Profile' }).click();
      await page.getByRole('button', { name: 'Change password' }).click();

      // Seed 000: "You will be required to verify your identity via email" (the only way here).
      await page.getByText('verify your identity via email').waitFor();
      await enterCode(page, 'Verification code', 'Verify', await t.server.latestCode(email));

      await page.getByLabel('Current password').fill('not the password');
      await page.getByLabel('Choose a password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await expectAlert(page, /current password is not right/);
      await page.getByLabel('Current password').fill(goodPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();

      await page.getByRole('tab', { name: 'Activity' }).click();
      await page.getByRole('region', { name: 'Recent security activity' }).waitFor();
      await page.getByText('Password changed').waitFor();
      await page.getByText('Signed in').first().waitFor();
    });
  },
);

/**
 * Chromium's virtual authenticator (ctap2, internal, resident keys, user verification), through
 * the DevTools protocol; plays a browser without passkey autofill, so the sign-in page does not
 * answer its own passkey request as it loads.
 */
async function attachAuthenticator(page: Page): Promise<void> {
  await page.addInitScript(
    'PublicKeyCredential.isConditionalMediationAvailable = async () => false;',
  );
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

describe.skipIf(!browserAvailable())(
  'seed 001: account recovery with the recovery code and a passkey',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession(
      { PORTCULLIS_POLICY: strongMfaWithoutMinimum() },
      { host: 'localhost' },
    );

    test('a user whose only second factor is a passkey resets the password with it', async () => {
      const email = newEmail('reset-passkey');
      const recoveryCode = await strongMfaUserWithCode(t.server, email);
      const { page } = t;
      await attachAuthenticator(page);

      // Add the passkey (no factor yet: the fresh sign-in vouches for it), then sign out.
      await page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(page, email, goodPassword);
      await page.waitForURL('**/account');
      await openAccountPage(page);
      await page.getByRole('tab', { name: 'Security' }).click();
      const passkeys = page.getByRole('region', { name: 'Passkeys' });
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
      await passkeys.getByLabel('Passkey name').fill('Work laptop');
      await passkeys.getByRole('button', { name: 'Create passkey' }).click();
      await passkeys.getByText('Your passkey “Work laptop” was added.').waitFor();
      await page.goto(`${t.server.url}/account`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/sign-in');

      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Recovery code').fill(recoveryCode);
      await page.getByRole('button', { name: 'Continue' }).click();

      // The passkey is offered first; the device answers the ceremony.
      await page.getByText('Your recovery code is right. Now confirm it is you.').waitFor();
      await page.getByRole('button', { name: 'Use your passkey' }).click();

      await page.getByLabel('Choose a password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your recovery code was used, so it no longer works.').waitFor();
      await page.getByLabel('I have saved my recovery code').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL('**/sign-in');
      await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();

      const [notice] = await t.server.outbox(email);
      expect(notice?.text).toContain('your recovery code and your passkey');
      // The reset did not lift the second factor: the next sign-in asks for the passkey.
      await submitSignIn(page, email, newPassword);
      await page.waitForURL('**/sign-in/code');
      await page.getByRole('button', { name: 'Use your passkey' }).click();
      await page.waitForURL('**/account');
    });
  },
);
