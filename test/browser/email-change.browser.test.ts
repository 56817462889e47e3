/**
 * Changing the email address on the security page (issue 6) in real Chromium: Profile tab →
 * "Change email" → the step-up (seed 000: by email) → the new address → the code sent to it →
 * "Done"; the row shows the new address, masked, VERIFIED; the old address is told; the new
 * address signs in. An address that belongs to another account looks the same to the user (S6).
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import {
  activeUserThroughApi,
  enterCode,
  expectAlert,
  goodPassword,
  newEmail,
  submitSignIn,
} from './steps.js';

/** Signed in, on the Profile tab, past the step-up "Change email" asks for; the section. */
async function changeEmailSection(page: Page, server: TestServer, email: string) {
  await page.goto(`${server.url}/sign-in`);
  await submitSignIn(page, email, goodPassword);
  await page.waitForURL('**/account');
  await page.goto(`${server.url}/account/security`);
  await page.getByRole('tab', { name: 'Profile' }).click();
  const section = page.getByRole('region', { name: 'Email address' });
  await section.getByText('*****@example.com', { exact: true }).waitFor();
  await section.getByText('VERIFIED', { exact: true }).waitFor();
  await section.getByRole('button', { name: 'Change email' }).click();
  // Seed 000: "You will be required to verify your identity via email" (the only way here).
  await section.getByText('verify your identity via email').waitFor();
  await enterCode(page, 'Verification code', 'Verify', await server.latestCode(email));
  await section.getByLabel('New email address').waitFor();
  return section;
}

async function sendCodeTo(section: Locator, address: string) {
  await section.getByLabel('New email address').fill(address);
  await section.getByRole('button', { name: 'Send code' }).click();
}

describe.skipIf(!browserAvailable())(
  'changing the email address from the security page',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    test('step-up, new address, code from its inbox, done: the new address is shown VERIFIED and signs in', async () => {
      const email = newEmail('email-change');
      const moved = `moved.${Date.now().toString(36)}@newclinic.example`;
      await activeUserThroughApi(t.server, email);
      const { page } = t;
      const section = await changeEmailSection(page, t.server, email);

      await sendCodeTo(section, email.toUpperCase());
      await expectAlert(page, /already the email address on your account/);
      await sendCodeTo(section, moved);
      await section.getByText('We sent a code to *****@newclinic.example.').waitFor();
      await enterCode(page, 'Verification code', 'Verify', '000000');
      await expectAlert(page, /not right.*4 tries left/);
      await enterCode(page, 'Verification code', 'Verify', await t.server.latestCode(moved));

      await section.getByText('is verified and saved to your account').waitFor();
      await section.getByRole('button', { name: 'Done' }).click();
      await section
        .getByRole('status')
        .filter({ hasText: 'Your email address is now *****@newclinic.example.' })
        .waitFor();
      await section.getByText('*****@newclinic.example', { exact: true }).waitFor();
      await section.getByText('VERIFIED', { exact: true }).waitFor();

      const [notice] = await t.server.outbox(email);
      expect(notice?.text).toContain('changed to *****@newclinic.example');
      expect(notice?.text).not.toContain(moved);

      await page.getByRole('tab', { name: 'Activity' }).click();
      await page.getByText('Email address changed').waitFor();

      await page.goto(`${t.server.url}/account`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/sign-in');
      await submitSignIn(page, email, goodPassword);
      await expectAlert(page, /email address or password is not right/);
      await submitSignIn(page, moved, goodPassword);
      await page.waitForURL('**/account');
      await page.getByText(moved, { exact: true }).waitFor();
    });

    test('an address of another account looks the same; its owner is told, and no code works', async () => {
      const email = newEmail('email-change-taken');
      const owner = newEmail('email-owner');
      await activeUserThroughApi(t.server, owner);
      await activeUserThroughApi(t.server, email);
      const { page } = t;
      const section = await changeEmailSection(page, t.server, email);

      await sendCodeTo(section, owner);
      await section.getByText('We sent a code to *****@example.com.').waitFor();
      const [told] = await t.server.outbox(owner);
      expect(told?.subject).toMatch(/already registered/);
      expect(told?.text).not.toMatch(/\d{6}/);
      await enterCode(page, 'Verification code', 'Verify', '123456');
      await expectAlert(page, /not right.*4 tries left/);
    });
  },
);
