/**
 * The portal shell as seed 000 draws it: "click on the drop-down menu on the top, right side of
 * your screen and select “Account Management”", and a header with the user and a "Log Out"
 * button. The menu in real Chromium, by mouse and by keyboard; the admin console for admins only.
 */
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  activeUserThroughApi,
  goodPassword,
  newEmail,
  skipPhone,
  submitCode,
  submitSignIn,
} from './steps.js';

describe.skipIf(!browserAvailable())('the portal shell', { timeout: 30_000 }, () => {
  const t = useBrowserSession();

  async function signIn(email: string): Promise<void> {
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/account');
  }

  test('the drop-down menu on the top right: Account Management, then Log Out', async () => {
    const email = newEmail('shell-menu');
    await activeUserThroughApi(t.server, email);
    await t.page.goto(`${t.server.url}/sign-in`);
    // Signed out, the header has no menu.
    await t.page.getByLabel('Email address').waitFor();
    expect(await t.page.getByRole('banner').getByRole('button').count()).toBe(0);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/account');

    const menuButton = t.page.getByRole('banner').getByRole('button', { name: email });
    expect(await menuButton.getAttribute('aria-haspopup')).toBe('menu');
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');
    await menuButton.click();
    expect(await menuButton.getAttribute('aria-expanded')).toBe('true');
    const menu = t.page.getByRole('menu');
    expect(await menu.getAttribute('id')).toBe(await menuButton.getAttribute('aria-controls'));
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Account Management',
      'Log Out',
    ]);
    // Not an administrator: no admin console.
    expect(await t.page.getByRole('menuitem', { name: 'Admin console' }).count()).toBe(0);

    // A click outside closes it.
    await t.page.getByRole('heading', { name: 'Your account' }).click();
    await menu.waitFor({ state: 'hidden' });

    // "select “Account Management”"
    await menuButton.click();
    await t.page.getByRole('menuitem', { name: 'Account Management' }).click();
    await t.page.waitForURL('**/account/security');
    await t.page.getByRole('heading', { name: 'Account Management', level: 1 }).waitFor();
    await menu.waitFor({ state: 'hidden' });

    // "Log Out" signs out and returns to sign-in.
    await menuButton.click();
    await t.page.getByRole('menuitem', { name: 'Log Out' }).click();
    await t.page.waitForURL('**/sign-in');
    await t.page.getByText('You have signed out.').waitFor();
    await t.page.goto(`${t.server.url}/account`);
    await t.page.waitForURL('**/sign-in');
  });

  test('the menu by keyboard: arrow keys move, Escape closes and returns focus, Enter follows', async () => {
    const email = newEmail('shell-keys');
    await activeUserThroughApi(t.server, email);
    await signIn(email);
    const menuButton = t.page.getByRole('banner').getByRole('button', { name: email });
    await menuButton.focus();
    await t.page.keyboard.press('Enter');
    /** The text of the element that has the focus. */
    const focused = () => t.page.evaluate<string>('document.activeElement?.textContent ?? ""');
    await expect.poll(focused).toBe('Account Management');
    await t.page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Log Out');
    await t.page.keyboard.press('ArrowDown'); // wraps round to the first
    expect(await focused()).toBe('Account Management');
    await t.page.keyboard.press('End');
    expect(await focused()).toBe('Log Out');

    await t.page.keyboard.press('Escape');
    await t.page.getByRole('menu').waitFor({ state: 'hidden' });
    expect(await focused()).toMatch(email);
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');

    await t.page.keyboard.press('ArrowDown'); // opens the menu at its first item
    await t.page.getByRole('menu').waitFor();
    await t.page.keyboard.press('Enter');
    await t.page.waitForURL('**/account/security');
  });

  test('an administrator also finds the admin console in the menu', async () => {
    const email = newEmail('shell-admin');
    const { link } = await t.server.invite(email, 'admin');
    await t.page.goto(link);
    await t.page.waitForURL('**/accept-invitation');
    await t.page.getByLabel('Choose a password').fill(goodPassword);
    await t.page.getByRole('button', { name: 'Set password' }).click();
    await t.page.getByRole('link', { name: 'Sign in' }).click();
    await t.page.waitForURL('**/sign-in');
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/sign-in/verify-email');
    await submitCode(t.page, await t.server.latestCode(email));
    await skipPhone(t.page);

    await t.page.getByRole('banner').getByRole('button', { name: email }).click();
    expect(await t.page.getByRole('menu').getByRole('menuitem').allTextContents()).toEqual([
      'Account Management',
      'Admin console',
      'Log Out',
    ]);
    expect(await t.page.getByRole('menuitem', { name: 'Admin console' }).getAttribute('href')).toBe(
      '/admin',
    );
  });
});
