/**
 * The authenticator app and the recovery code (issue 4) in real Chromium, under the strong-mfa
 * policy (seed 001): setting up the app on the security page (a fresh sign-in vouches while the
 * account has no factor), signing in with its code, a wrong or replayed code, getting and
 * downloading a recovery code (the step-up with the app), signing in with it and saving the new
 * one it is replaced by, and the recovery code every user must save at first sign-in. Under
 * email-first (seed 000): a step-up by email to add the app, then the app offered first for the
 * next step-up, and removing it. App codes are computed from the key the page shows; the
 * server's fake clock moves on a 30-second step whenever a new code is needed, since each step
 * is accepted once and a step ahead of the server's clock never is.
 */
import { readFile } from 'node:fs/promises';
import type { Download, Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import { strongMfaWithoutMinimum } from '../helpers/config.js';
import {
  activeUserThroughApi,
  authenticatorThroughApi,
  enterCode,
  expectAlert,
  goodPassword,
  newEmail,
  nextTotpCode,
  signUpThroughApi,
  strongMfaUserThroughApi,
  submitCode,
  submitSignIn,
  totpCode,
  openAccountPage,
} from './steps.js';

const portalName = 'Spectera Provider Portal';
const fileName = 'spectera-provider-portal-recovery-code.txt';
/** A strong-mfa recovery code: 16 digits in groups of four. */
const recoveryCodeShape = /^\d{4} \d{4} \d{4} \d{4}$/;

/** Account Management → Security tab; returns the section called `name`. */
async function securitySection(page: Page, name: string): Promise<Locator> {
  await openAccountPage(page);
  await page.waitForURL('**/account/security');
  await page.getByRole('tab', { name: 'Security' }).click();
  return page.getByRole('region', { name });
}

describe.skipIf(!browserAvailable())(
  'the authenticator app and the recovery code',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: strongMfaWithoutMinimum() });

    async function signIn(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
    }

    /** Signs in with the password and a fresh code from the app. */
    async function signInWithApp(email: string, key: string): Promise<void> {
      await signIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await enterCode(t.page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await t.page.waitForURL('**/account');
    }

    async function signOut(): Promise<void> {
      await t.page.goto(`${t.server.url}/account`);
      await t.page.getByRole('button', { name: 'Sign out' }).click();
      await t.page.waitForURL('**/sign-in');
      await t.page.getByText('You have signed out.').waitFor();
    }

    /** Clicks Download and returns the file the browser saved. */
    async function downloadFrom(scope: Locator): Promise<{ download: Download; text: string }> {
      const [download] = await Promise.all([
        t.page.waitForEvent('download'),
        scope.getByRole('button', { name: 'Download' }).click(),
      ]);
      return { download, text: await readFile(await download.path(), 'utf8') };
    }

    test('sets up an authenticator app on the security page, then signs in with its code', async () => {
      const email = newEmail('totp-enrol');
      await strongMfaUserThroughApi(t.server, email);
      await signIn(email);
      await t.page.waitForURL('**/account'); // no second factor yet: the password is enough

      const section = await securitySection(t.page, 'Authenticator app');
      await section.getByText('No authenticator app yet.').waitFor();
      await section.getByRole('button', { name: 'Set up authenticator app' }).click();
      // A fresh sign-in vouches for the change while the account has no factor: no step-up.
      const qr = section.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      expect(await qr.evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true); // the data: URL is allowed by the page's CSP and renders
      await section.getByText("Can't scan? Enter this key:").waitFor();
      const key = (await section.getByTestId('totp-key').textContent()) ?? '';
      expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);

      await enterCode(
        t.page,
        'Code from your authenticator app',
        'Verify',
        totpCode(key, t.server.clock.now()),
      );
      await section.getByText('Your authenticator app is set up.').waitFor();
      await section.getByRole('button', { name: 'Done' }).click();
      await section.getByRole('button', { name: 'Replace' }).waitFor();
      await section.getByText('Added', { exact: true }).waitFor();

      // The next sign-in asks for the app's code (nothing is sent) and reaches AAL2.
      await signOut();
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page
        .getByRole('heading', { name: 'Enter the code from your authenticator app' })
        .waitFor();
      await t.page.getByRole('button', { name: 'Use a recovery code' }).waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
      await t.page.getByText(/^Authenticator app at /).waitFor(); // how this session signed in
    });

    test('downloads a new recovery code, signs in with it and saves the one that replaces it', async () => {
      const email = newEmail('recovery');
      await strongMfaUserThroughApi(t.server, email);
      const key = await authenticatorThroughApi(t.server, email);
      await signInWithApp(email, key);

      const section = await securitySection(t.page, 'Recovery code');
      await section
        .getByText(
          'If you need to redownload your recovery code, get a new one here: the old code stops working.',
        )
        .waitFor();
      await section.getByRole('button', { name: 'Get a new code' }).click();
      // The step-up: the app is the account's only way, so it is asked for at once.
      await section.getByText('Enter the 6-digit code your authenticator app shows').waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', nextTotpCode(t.server, key));

      const shown = section.getByTestId('recovery-code');
      await shown.waitFor();
      const code = ((await shown.textContent()) ?? '').trim();
      expect(code).toMatch(recoveryCodeShape);
      const { download, text } = await downloadFrom(section);
      expect(download.suggestedFilename()).toBe(fileName);
      expect(text).toContain(portalName);
      expect(text).toContain(email);
      expect(text).toContain(`Recovery code: ${code}`);
      await t.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: t.server.url,
      });
      await section.getByRole('button', { name: 'Copy' }).click();
      await section.getByText('Your recovery code was copied.', { exact: false }).waitFor();
      expect(await t.page.evaluate('navigator.clipboard.readText()')).toBe(code);

      // "Done" needs the box ticked.
      await section.getByRole('button', { name: 'Done' }).click();
      await expectAlert(t.page, /tick “I have saved my recovery code”/);
      await section.getByLabel('I have saved my recovery code').check();
      await section.getByRole('button', { name: 'Done' }).click();
      await section
        .getByText('Your new recovery code is saved. The old one no longer works.')
        .waitFor();
      expect(await section.getByText('Not confirmed yet').count()).toBe(0);

      // Without the app: "Use a recovery code".
      await signOut();
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByRole('button', { name: 'Use a recovery code' }).click();
      await t.page.getByRole('heading', { name: 'Enter your recovery code' }).waitFor();
      const field = t.page.getByLabel('Recovery code', { exact: true });
      expect(await field.evaluate((input) => input === input.ownerDocument.activeElement)).toBe(
        true,
      );
      await t.page.getByRole('button', { name: 'Use your authenticator app' }).waitFor();
      await enterCode(t.page, 'Recovery code', 'Verify Code', code);

      // The used code is gone; a new one is shown once, to save before going on.
      await t.page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
      await t.page
        .getByText('You signed in with your recovery code, so it no longer works.', {
          exact: false,
        })
        .waitFor();
      const replacement = ((await t.page.getByTestId('recovery-code').textContent()) ?? '').trim();
      expect(replacement).toMatch(recoveryCodeShape);
      expect(replacement).not.toBe(code);
      const saved = await downloadFrom(t.page.locator('main'));
      expect(saved.download.suggestedFilename()).toBe(fileName);
      expect(saved.text).toContain(`Account: ${email}`); // the email typed at sign-in
      expect(saved.text).toContain(`Recovery code: ${replacement}`);
      await t.page.getByLabel('I have saved my recovery code').check();
      await t.page.getByRole('button', { name: 'Continue' }).click();
      await t.page.waitForURL('**/account');
      await t.page.getByText(/^Recovery code at /).waitFor(); // how this session signed in
    });

    test('a wrong or already used app code is refused with the reason', async () => {
      const email = newEmail('totp-wrong');
      await strongMfaUserThroughApi(t.server, email);
      const key = await authenticatorThroughApi(t.server, email); // spends the current step
      await signIn(email);
      await t.page.waitForURL('**/sign-in/code');

      const now = t.server.clock.now();
      const valid = [totpCode(key, now), totpCode(key, now - 30_000)];
      const wrong = ['000000', '111111', '222222'].find((c) => !valid.includes(c)) ?? '333333';
      await enterCode(t.page, 'Code', 'Verify Code', wrong);
      await expectAlert(t.page, /That code is not right\. Enter the code your authenticator app/);
      expect(await t.page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );

      // The code that confirmed the app was spent then: it cannot sign in too.
      await enterCode(t.page, 'Code', 'Verify Code', totpCode(key, now));
      await expectAlert(t.page, /This code has been used already/);

      await enterCode(t.page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await t.page.waitForURL('**/account');
    });

    test('the first sign-in asks every user to save a recovery code before going on', async () => {
      const email = newEmail('recovery-required');
      await signUpThroughApi(t.server, email);
      await signIn(email);
      await t.page.waitForURL('**/sign-in/verify-email');
      await submitCode(t.page, await t.server.latestCode(email));

      await t.page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
      expect(new URL(t.page.url()).pathname).toBe('/sign-in/code');
      const code = ((await t.page.getByTestId('recovery-code').textContent()) ?? '').trim();
      expect(code).toMatch(recoveryCodeShape);
      await t.page.getByRole('button', { name: 'Continue' }).click();
      await expectAlert(t.page, /tick “I have saved my recovery code”/);
      const box = t.page.getByLabel('I have saved my recovery code');
      expect(await box.getAttribute('aria-invalid')).toBe('true');

      // A reload shows the same code (the step lives in the flow until it is saved).
      await t.page.reload();
      await t.page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
      expect(((await t.page.getByTestId('recovery-code').textContent()) ?? '').trim()).toBe(code);
      await box.check();
      await t.page.getByRole('button', { name: 'Continue' }).click();
      await t.page.waitForURL('**/account');

      const section = await securitySection(t.page, 'Recovery code');
      await section.getByText('Created', { exact: true }).waitFor();
      expect(await section.getByText('Not confirmed yet').count()).toBe(0);
    });
  },
);

describe.skipIf(!browserAvailable())(
  'the authenticator app under email-first (seed 000)',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    test('steps up by email to add the app; a later change offers the app first, and removes it', async () => {
      const email = newEmail('totp-email-first');
      await activeUserThroughApi(t.server, email);
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account');
      const section = await securitySection(t.page, 'Authenticator app');

      // The email is the only way to verify: the code goes out at once.
      await section.getByRole('button', { name: 'Set up authenticator app' }).click();
      await section.getByText('We sent a six-digit code to', { exact: false }).waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
      const key = (await section.getByTestId('totp-key').textContent()) ?? '';
      await enterCode(
        t.page,
        'Code from your authenticator app',
        'Verify',
        totpCode(key, t.server.clock.now()),
      );
      await section.getByRole('button', { name: 'Done' }).click();
      await section.getByText('Your authenticator app is set up.').waitFor();

      // Five minutes on, the step-up has lapsed: the server asks again, the app offered first.
      t.server.clock.advance(6 * 60_000);
      await section.getByRole('button', { name: 'Remove' }).click();
      await section.getByRole('button', { name: 'Remove authenticator app' }).click();
      await section
        .getByText('For your security, verify your identity again before making this change.')
        .waitFor();
      const choices = section
        .getByRole('group', { name: 'Verify your identity' })
        .getByRole('button');
      expect(await choices.allTextContents()).toEqual([
        'Verify with authenticator app',
        'Verify via email',
        'Cancel',
      ]);
      await section.getByRole('button', { name: 'Verify with authenticator app' }).click();
      await section.getByText('Enter the 6-digit code your authenticator app shows').waitFor();
      await section.getByRole('button', { name: 'Send code to email' }).waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', nextTotpCode(t.server, key));

      await section.getByRole('button', { name: 'Remove authenticator app' }).click();
      await section.getByText('The authenticator app was removed from your account.').waitFor();
      await section.getByText('No authenticator app yet.').waitFor();
    });
  },
);
