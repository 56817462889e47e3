/**
 * Seed 002's help desk, the rest of it, in real Chromium: "Incorrect phone number registered — …
 * ask your administrator to assist": an administrator enters the user's new number in the
 * console (verifying their own identity again first); at the user's next login the code goes to
 * the new number, and once entered it is their number. "Unable to log in at all — … they can
 * disable MFA temporarily": 24 hours through the console, the password alone until the fake clock
 * passes it, then the SMS code again. And an organisation administrator opens the console from
 * their menu and finds their own organisation's members only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import type { Role } from '../../src/store/schema.js';
import {
  enterCode,
  goodPassword,
  newEmail,
  submitSignIn,
  userWithPhoneThroughApi,
} from './steps.js';

const staffPhone = '+447546100200';
const userPhone = '+447546123456';
const newPhone = '+447400123789';

async function setRole(server: TestServer, email: string, role: Role, organisationId?: string) {
  await server.app.services.store.db
    .updateTable('accounts')
    .set({ role, ...(organisationId ? { organisation_id: organisationId } : {}) })
    .where('email', '=', email)
    .execute();
}

describe.skipIf(!browserAvailable())('the help desk of seed 002', { timeout: 40_000 }, () => {
  const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

  /** "Enter your Email and Password, then click Login", then the code sent to `phone`. */
  async function logIn(page: Page, email: string, phone: string): Promise<void> {
    await page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(page, email, goodPassword);
    await page.waitForURL('**/sign-in/code');
    await enterCode(page, 'Code', 'Verify Code', await t.server.latestCode(phone));
    await page.waitForURL('**/account');
  }

  async function openConsole(page: Page, email: string): Promise<void> {
    await page.getByRole('banner').getByRole('button', { name: email }).click();
    await page.getByRole('menuitem', { name: 'Admin console' }).click();
    await page.waitForURL('**/admin');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  }

  test('an administrator updates a phone number; the next login confirms it with a code sent to it', async () => {
    const admin = newEmail('desk-admin');
    const user = newEmail('desk-user');
    await userWithPhoneThroughApi(t.server, admin, staffPhone);
    await setRole(t.server, admin, 'admin');
    await userWithPhoneThroughApi(t.server, user, userPhone);
    t.server.clock.advance(61_000);

    await logIn(t.page, admin, staffPhone);
    await openConsole(t.page, admin);
    await t.page.getByLabel('Email or name').fill(user.split('@')[0]!);
    await t.page.getByRole('button', { name: 'Search' }).click();
    await t.page.getByRole('link', { name: user }).click();
    await t.page.getByRole('heading', { name: user, level: 1 }).waitFor();

    await t.page.getByRole('button', { name: 'Update phone number' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Update phone number' });
    await dialog.getByText('for example +447546XXXXXX', { exact: false }).waitFor();
    await dialog.getByLabel('New mobile number').fill(newPhone);
    await dialog.getByLabel('Reason').fill('Ticket 4712: incorrect phone number registered');
    await dialog.getByRole('button', { name: 'Save the new number' }).click();
    // Where codes go changes: the administrator verifies their identity again.
    await dialog.getByRole('button', { name: 'Verify via text' }).click();
    await dialog.getByLabel('Verification code').waitFor();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(staffPhone));
    await t.page.getByText('waiting for the user to confirm', { exact: false }).waitFor();

    // The user's next login: the code goes to the new number, not the old one.
    await t.context.clearCookies();
    t.server.clock.advance(61_000);
    const toOld = (await t.server.outbox(userPhone)).length;
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, user, goodPassword);
    await t.page.waitForURL('**/sign-in/new-phone');
    await t.page
      .getByText('Your administrator updated your phone number.', { exact: false })
      .waitFor();
    expect((await t.server.outbox(userPhone)).length).toBe(toOld);
    await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(newPhone));
    await t.page.waitForURL('**/account');
    // The old number is told, and is no longer theirs.
    expect((await t.server.outbox(userPhone))[0]?.text).toMatch(
      /changed to a number ending in 789/,
    );
    const [after] = await t.server.app.services.store.db
      .selectFrom('phones')
      .innerJoin('accounts', 'accounts.id', 'phones.account_id')
      .select('phones.e164')
      .where('accounts.email', '=', user)
      .execute();
    expect(after?.e164).toBe(newPhone);
  });

  test('an administrator turns MFA off for 24 hours; the user logs in with the password alone until it ends', async () => {
    const admin = newEmail('desk-exempt-admin');
    const user = newEmail('desk-exempt-user');
    await userWithPhoneThroughApi(t.server, admin, staffPhone);
    await setRole(t.server, admin, 'admin');
    await userWithPhoneThroughApi(t.server, user, userPhone);
    t.server.clock.advance(61_000);

    await logIn(t.page, admin, staffPhone);
    await openConsole(t.page, admin);
    await t.page.getByLabel('Email or name').fill(user.split('@')[0]!);
    await t.page.getByRole('button', { name: 'Search' }).click();
    await t.page.getByRole('link', { name: user }).click();
    await t.page.getByRole('button', { name: 'Turn off MFA temporarily' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Turn off MFA temporarily' });
    expect(await dialog.getByLabel('For how many hours').inputValue()).toBe('24');
    await dialog.getByLabel('Reason').fill('Ticket 4713: unable to log in at all');
    await dialog.getByRole('button', { name: 'Turn off MFA' }).click();
    await dialog.getByRole('button', { name: 'Verify via text' }).click();
    await dialog.getByLabel('Verification code').waitFor();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(staffPhone));
    await t.page.getByText(/^MFA off until /).waitFor();

    // The user: the password alone, and the page says why.
    await t.context.clearCookies();
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, user, goodPassword);
    await t.page.waitForURL('**/account');
    await t.page
      .getByText(
        /^Multi-factor authentication is turned off for your account until .+ by your administrator\.$/,
      )
      .waitFor();

    // A day later it has ended by itself: the SMS code is asked again.
    t.server.clock.advance(24 * 3_600_000 + 1);
    await t.context.clearCookies();
    await logIn(t.page, user, userPhone);
  });

  test('an organisation administrator finds the console in their menu, and sees only their members', async () => {
    const orgAdmin = newEmail('org-admin');
    const member = newEmail('org-member');
    const outsider = newEmail('org-outsider');
    await userWithPhoneThroughApi(t.server, orgAdmin, staffPhone);
    await userWithPhoneThroughApi(t.server, member, userPhone);
    await userWithPhoneThroughApi(t.server, outsider, newPhone);
    const organisation = await t.server.app.services.store.db
      .insertInto('organisations')
      .values({
        id: `org${Date.now()}`,
        name: `North Clinic ${Date.now()}`,
        policy: null,
        created_at: t.server.clock.now(),
        updated_at: t.server.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setRole(t.server, member, 'user', organisation.id);
    await setRole(t.server, orgAdmin, 'org_admin', organisation.id);
    t.server.clock.advance(61_000);

    await logIn(t.page, orgAdmin, staffPhone);
    await openConsole(t.page, orgAdmin);
    await t.page.getByRole('button', { name: 'Search' }).click();
    const table = t.page.getByRole('table');
    await table.getByRole('link', { name: member }).waitFor();
    expect(await table.getByRole('link', { name: outsider }).count()).toBe(0);
    expect(await table.getByRole('link').allTextContents()).toEqual([member]);
    // Applications are the deployment's: not in an organisation administrator's console.
    const nav = t.page.getByRole('navigation', { name: 'Admin console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Users', 'Audit log']);
  });
});
