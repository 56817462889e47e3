/**
 * Seed 001 (the minimum multi-factor methods, policy strong-mfa) step by step in real Chromium.
 * "Starting March 7, 2025, you can no longer use email as a recovery method … you're required to
 * have 1 of the following verified on your account": a passkey, the authenticator app and a
 * phone, or the password and a phone. Before the date the sign-in reminds and offers "Skip for
 * Now"; after it, sign-in is blocked until one way is set up. "All users will be required to
 * download a recovery code", at the sign-in after the minimum; "Get a new code" on the security
 * page. The server's fake clock sets the date; codes come from the development outbox, app codes
 * are computed from the key the page shows, and passkeys come from Chromium's virtual
 * authenticator (the pages served at http://localhost).
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  browserAvailable,
  useBrowserSession,
  VirtualAuthenticator,
  withoutPasskeyAutofill,
} from '../helpers/browser.js';
import {
  enterCode,
  expectAlert,
  goodPassword,
  latestSpokenCode,
  newEmail,
  nextTotpCode,
  signUpThroughApi,
  strongMfaPhoneUserThroughApi,
  submitCode,
  submitSignIn,
  totpCode,
} from './steps.js';

/** February 2025, before the enforcement date; then March 10, after it. */
const february = Date.UTC(2025, 1, 20, 9);
const afterTheDate = Date.UTC(2025, 2, 10, 9);
const theDate = /March 7, 2025|7 March 2025/;

/** A US number libphonenumber accepts as "fixed line or mobile" (texts and calls). */
const mobile = '+1 202 555 0143';
const mobileE164 = '+12025550143';
/** A London landline: calls only. */
const landline = '+44 20 7946 0123';
const landlineE164 = '+442079460123';

const recoveryFileName = 'spectera-provider-portal-recovery-code.txt';
const recoveryCodeShape = /^\d{4} \d{4} \d{4} \d{4}$/;

describe.skipIf(!browserAvailable())(
  'seed 001: the minimum multi-factor methods',
  { timeout: 40_000 },
  () => {
    const t = useBrowserSession(
      // The portal's own name for its account page (seed 001).
      { PORTCULLIS_POLICY: 'strong-mfa', ACCOUNT_PAGE_TITLE: 'Manage My One Healthcare ID' },
      { host: 'localhost' },
    );

    /** The sign-in steps the server answers with, in order (`signed_in` at the end). */
    function recordSteps(page: Page): string[] {
      const steps: string[] = [];
      page.on('response', (response) => {
        if (!/\/api\/v1\/sign-in(\/|$)/.test(new URL(response.url()).pathname)) return;
        void response.json().then(
          (body: { status?: string; flow?: { step?: string } }) => {
            const step = body.status === 'continue' ? body.flow?.step : body.status;
            if (step && steps.at(-1) !== step) steps.push(step);
          },
          () => undefined,
        );
      });
      return steps;
    }

    async function signIn(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
    }

    /** A new user's first sign-in, up to the page after "verify your email address". */
    async function firstSignIn(email: string): Promise<void> {
      await signUpThroughApi(t.server, email);
      await signIn(email);
      await t.page.waitForURL('**/sign-in/verify-email');
      await submitCode(t.page, await t.server.latestCode(email));
    }

    async function signOut(): Promise<void> {
      await t.page.goto(`${t.server.url}/account`);
      await t.page.getByRole('button', { name: 'Sign out' }).click();
      await t.page.waitForURL('**/sign-in');
      await t.page.getByText('You have signed out.').waitFor();
    }

    /** The reminder: "1 of the following", the table of the three ways and their actions. */
    async function expectTheThreeWays(): Promise<void> {
      await t.page.waitForURL('**/sign-in/mfa');
      await t.page.getByRole('heading', { name: 'Set up multi-factor authentication' }).waitFor();
      await t.page
        .getByText(/you can no longer use email as a recovery method when signing in to/)
        .waitFor();
      await t.page
        .getByText(/required to have 1 of the following verified on your account/)
        .waitFor();
      const table = t.page.getByRole('table', { name: 'Ways to meet the requirement' });
      expect(await table.getByRole('rowheader').allTextContents()).toEqual([
        'Passkey',
        'Authenticator + phone number',
        'Password + phone number',
      ]);
      const passkey = table.getByRole('row', { name: /^Passkey/ });
      await passkey
        .getByText(/Most secure, fastest and easiest-to-use option that doesn.t require a phone/)
        .waitFor();
      await passkey.getByRole('button', { name: 'Add passkey' }).waitFor();
      await table
        .getByRole('button', { name: 'Verify your phone number and get Authenticator' })
        .waitFor();
      const password = table.getByRole('row', { name: /^Password \+ phone number/ });
      await password.getByText('Password set').waitFor(); // what is done already
      await password
        .getByRole('button', { name: 'Verify your phone number', exact: true })
        .waitFor();
    }

    /** "Save your recovery code": downloads it, ticks "I have saved it" and goes on. */
    async function saveRecoveryCode(email: string): Promise<string> {
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByRole('heading', { name: 'Save your recovery code' }).waitFor();
      const code = ((await t.page.getByTestId('recovery-code').textContent()) ?? '').trim();
      expect(code).toMatch(recoveryCodeShape);
      const [download] = await Promise.all([
        t.page.waitForEvent('download'),
        t.page.getByRole('button', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(recoveryFileName);
      const text = await readFile(await download.path(), 'utf8');
      expect(text).toContain(`Account: ${email}`);
      expect(text).toContain(`Recovery code: ${code}`);
      await t.page.getByLabel('I have saved my recovery code').check();
      await t.page.getByRole('button', { name: 'Continue' }).click();
      return code;
    }

    test('before March 7, 2025: reminded of the three ways, Skip for Now, the recovery code saved, reminded again next time', async () => {
      t.server.clock.set(february);
      const email = newEmail('seed001-remind');
      const steps = recordSteps(t.page);
      await firstSignIn(email);

      await expectTheThreeWays();
      await t.page
        .getByText(
          /^Starting (March 7, 2025|7 March 2025), you can no longer use email as a recovery method/,
        )
        .waitFor();
      await t.page.getByText(/To maintain uninterrupted access, if you haven.t already/).waitFor();
      await t.page.getByText(/You can skip this until (March 7, 2025|7 March 2025)\./).waitFor();

      // Skip for Now; the recovery code every user must download comes next, then the account.
      await t.page.getByRole('button', { name: 'Skip for Now' }).click();
      await saveRecoveryCode(email);
      await t.page.waitForURL('**/account');
      const notice = t.page.getByRole('dialog', { name: 'You can set this up later' });
      await notice
        .getByText(/open Manage My One Healthcare ID and select the Security tab/)
        .waitFor();
      await notice.getByText(theDate).waitFor();
      await notice.getByRole('button', { name: 'OK' }).click();
      await notice.waitFor({ state: 'hidden' });
      await expect
        .poll(() => steps)
        .toEqual(['verify_email', 'choose_mfa', 'save_recovery_code', 'signed_in']);

      // The reminder comes back at every sign-in until the date; the code is saved already.
      await signOut();
      steps.length = 0;
      await submitSignIn(t.page, email, goodPassword);
      await expectTheThreeWays();
      await t.page.getByRole('button', { name: 'Skip for Now' }).click();
      await t.page.waitForURL('**/account');
      await t.page.getByRole('dialog', { name: 'You can set this up later' }).waitFor();
      await expect.poll(() => steps).toEqual(['choose_mfa', 'signed_in']);
    });

    test('after the date: blocked until a passkey is added, then signs in with the passkey alone', async () => {
      t.server.clock.set(afterTheDate);
      const email = newEmail('seed001-passkey');
      await withoutPasskeyAutofill(t.page); // the "Sign in with a passkey" button is the way in
      const authenticator = await VirtualAuthenticator.attach(t.page);
      await firstSignIn(email);

      await expectTheThreeWays();
      await t.page
        .getByText(/^Since (March 7, 2025|7 March 2025), you can no longer use/)
        .waitFor();
      await t.page
        .getByText(
          'If you do not complete setting up the minimum multi-factor authentication methods, you will be unable to log into Spectera Provider Portal.',
        )
        .waitFor();
      expect(await t.page.getByRole('button', { name: 'Skip for Now' }).count()).toBe(0);

      // A reload keeps the sign-in at the same step.
      await t.page.reload();
      await t.page.getByRole('button', { name: 'Add passkey' }).click();
      await t.page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
      const others = t.page.getByRole('group', { name: 'Choose another way' });
      expect(await others.getByRole('button').allTextContents()).toEqual([
        'Authenticator + phone number',
        'Password + phone number',
      ]);
      await t.page.getByLabel('Passkey name').fill('Work laptop');

      // The device cannot verify the user: no passkey, the reason, and a fresh ceremony to retry.
      await authenticator.userVerified(false);
      await t.page.getByRole('button', { name: 'Add passkey', exact: true }).click();
      await expectAlert(t.page, /could not confirm it is you/);
      await authenticator.userVerified(true);
      await t.page.getByRole('button', { name: 'Try again' }).click();

      await saveRecoveryCode(email);
      await t.page.waitForURL('**/account');
      expect(await authenticator.credentials()).toHaveLength(1);

      // Signed out, the passkey signs in alone: no password, nothing else owed.
      await signOut();
      await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
      await t.page.getByText(/^Passkey on this device or a security key at /).waitFor();
    });

    test('after the date: verifies a phone and gets Authenticator; the next sign-in asks for the app', async () => {
      t.server.clock.set(afterTheDate);
      const email = newEmail('seed001-app');
      await firstSignIn(email);
      await expectTheThreeWays();
      await t.page
        .getByRole('button', { name: 'Verify your phone number and get Authenticator' })
        .click();

      // The phone first ("a mobile or direct landline number"), its code from the outbox.
      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByRole('heading', { name: 'Verify your phone number' }).waitFor();
      await t.page
        .getByText('After your phone number, you set up the authenticator app.')
        .waitFor();
      expect(await t.page.getByRole('button', { name: 'Skip for Now' }).count()).toBe(0);
      await t.page
        .getByRole('group', { name: 'Choose another way' })
        .getByRole('button', { name: 'Passkey' })
        .waitFor();
      await t.page.getByLabel('Phone number', { exact: true }).fill(mobile);
      await t.page.getByRole('button', { name: 'Send code' }).click();
      await t.page.getByText('A six-digit code is sent to your phone', { exact: false }).waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(mobileE164));

      // Then Authenticator: the QR code and the key; a reload shows the same key.
      await t.page.waitForURL('**/sign-in/mfa');
      await t.page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
      await t.page.getByText('Your phone number is verified.', { exact: false }).waitFor();
      const qr = t.page.getByRole('img', { name: 'QR code for your authenticator app' });
      expect(await qr.evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
      const key = (await t.page.getByTestId('totp-key').textContent()) ?? '';
      expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
      await t.page.reload();
      expect(await t.page.getByTestId('totp-key').textContent()).toBe(key);
      await enterCode(t.page, 'Code from your authenticator app', 'Verify', '000000');
      await expectAlert(t.page, /not right/);
      await enterCode(
        t.page,
        'Code from your authenticator app',
        'Verify',
        totpCode(key, t.server.clock.now()),
      );

      await saveRecoveryCode(email);
      await t.page.waitForURL('**/account');

      // The next sign-in asks for the app first (nothing sent).
      await signOut();
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page
        .getByRole('heading', { name: 'Enter the code from your authenticator app' })
        .waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', nextTotpCode(t.server, key));
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
    });

    test('after the date: chooses another way, verifies a landline by a call, and signs in with a call', async () => {
      t.server.clock.set(afterTheDate);
      const email = newEmail('seed001-phone');
      await firstSignIn(email);
      await expectTheThreeWays();
      await t.page
        .getByRole('button', { name: 'Verify your phone number and get Authenticator' })
        .click();
      await t.page.waitForURL('**/sign-in/phone');
      await t.page
        .getByText('After your phone number, you set up the authenticator app.')
        .waitFor();

      // "Choose another way": Password + phone number.
      await t.page
        .getByRole('group', { name: 'Choose another way' })
        .getByRole('button', { name: 'Password + phone number' })
        .click();
      await t.page
        .getByRole('group', { name: 'Choose another way' })
        .getByRole('button', { name: 'Authenticator + phone number' })
        .waitFor();
      expect(
        await t.page
          .getByText('After your phone number, you set up the authenticator app.')
          .count(),
      ).toBe(0);

      // A direct landline cannot get texts: the page offers a call.
      await t.page.getByLabel('Phone number', { exact: true }).fill(landline);
      await t.page.getByRole('button', { name: 'Send code' }).click();
      await expectAlert(t.page, /cannot receive text messages/);
      await t.page.getByRole('button', { name: 'Call me' }).click();
      await t.page.getByText('We are calling your phone', { exact: false }).waitFor();
      await enterCode(
        t.page,
        'Code',
        'Verify Code',
        await latestSpokenCode(t.server, landlineE164),
      );

      await saveRecoveryCode(email);
      await t.page.waitForURL('**/account');

      // The next sign-in: the password, then a code read out in a call.
      await signOut();
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByText('read out in a call', { exact: false }).waitFor();
      await enterCode(
        t.page,
        'Code',
        'Verify Code',
        await latestSpokenCode(t.server, landlineE164),
      );
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
    });

    test('the recovery code can be downloaded again from the security page: Get a new code', async () => {
      t.server.clock.set(afterTheDate);
      const email = newEmail('seed001-recovery');
      await strongMfaPhoneUserThroughApi(t.server, email, mobileE164);
      await signIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(mobileE164));
      await t.page.waitForURL('**/account');

      // "it can be found in the right-side menu of the Manage My One Healthcare ID page"
      await t.page.getByRole('banner').getByRole('button', { name: email }).click();
      await t.page.getByRole('menuitem', { name: 'Manage My One Healthcare ID' }).click();
      await t.page.waitForURL('**/account/security');
      await t.page
        .getByRole('heading', { name: 'Manage My One Healthcare ID', level: 1 })
        .waitFor();
      await t.page.getByRole('tab', { name: 'Profile' }).click();
      const sideMenu = t.page.getByRole('navigation', { name: 'Manage My One Healthcare ID menu' });
      // On a wide screen the menu is on the right of the page's tabs.
      const menuBox = await sideMenu.boundingBox();
      const tabsBox = await t.page.getByRole('tablist').boundingBox();
      expect(menuBox!.x).toBeGreaterThan(tabsBox!.x + tabsBox!.width - 1);
      await sideMenu.getByRole('button', { name: 'Recovery code' }).click();
      const section = t.page.getByRole('region', { name: 'Recovery code' });
      // A hashed code cannot be shown again: the page says so.
      await section
        .getByText(
          'Your recovery code is stored only as a hash, so it cannot be shown or downloaded again.',
        )
        .waitFor();
      // The step-up, by a text to the phone.
      await section.getByRole('button', { name: 'Verify via text' }).click();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(mobileE164));

      const shown = section.getByTestId('recovery-code');
      await shown.waitFor();
      const code = ((await shown.textContent()) ?? '').trim();
      expect(code).toMatch(recoveryCodeShape);
      const [download] = await Promise.all([
        t.page.waitForEvent('download'),
        section.getByRole('button', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(recoveryFileName);
      expect(await readFile(await download.path(), 'utf8')).toContain(`Recovery code: ${code}`);
      await section.getByLabel('I have saved my recovery code').check();
      await section.getByRole('button', { name: 'Done' }).click();
      await section
        .getByText('Your new recovery code is saved. The old one no longer works.')
        .waitFor();
    });
  },
);
