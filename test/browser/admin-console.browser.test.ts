/**
 * The admin console in real Chromium, as seed 002's help desk uses it ("Contact your system
 * administrator — they can disable MFA temporarily or update your phone number"): an
 * administrator signed in with their SMS code opens the console from the user menu, finds a user
 * by the start of their email, turns MFA off for 24 hours with a reason (verifying their own
 * identity again first), and finds the change in the audit log. A member is refused; a visitor
 * who is signed out is sent to sign in.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import {
  enterCode,
  goodPassword,
  newEmail,
  submitSignIn,
  userWithPhoneThroughApi,
} from './steps.js';

const adminPhone = '+447546100200';
/** The id, or else the text, of the element that has the focus. */
const focused = (page: Page) =>
  page.evaluate<string>('document.activeElement?.id || document.activeElement?.textContent || ""');
const userPhone = '+447546123456';

/** POSTs to the public API as the pages do; returns the JSON answer, throws on an error. */
async function post<T>(server: TestServer, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Portcullis-CSRF': '1', Origin: server.url },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An invited administrator whose first sign-in is done: email verified, phone registered. */
async function adminWithPhone(server: TestServer, email: string): Promise<void> {
  const { link } = await server.invite(email, 'admin');
  const token = new URL(link).searchParams.get('token');
  await post(server, '/invitations/accept', { token, password: goodPassword });
  type Flow = { flow: { flow: string; step: string } };
  const started = await post<Flow>(server, '/sign-in', { email, password: goodPassword });
  const flow = started.flow.flow;
  const next = await post<Flow>(server, '/sign-in/verify-email', {
    flow,
    code: await server.latestCode(email),
  });
  expect(next.flow.step).toBe('enrol_phone');
  await post(server, '/sign-in/phone', { flow, phone: adminPhone, channel: 'sms' });
  await post(server, '/sign-in/verify-code', { flow, code: await server.latestCode(adminPhone) });
}

describe.skipIf(!browserAvailable())('the admin console', { timeout: 40_000 }, () => {
  const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

  /** "Enter your Email and Password, then click Login", then the SMS code. */
  async function logInWithSms(email: string, phone: string): Promise<void> {
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/sign-in/code');
    await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
    await t.page.waitForURL('**/account');
  }

  test('the help desk turns MFA off for 24 hours with a reason, and the audit log shows it', async () => {
    const adminEmail = newEmail('helpdesk-admin');
    const userEmail = newEmail('helpdesk-target');
    await adminWithPhone(t.server, adminEmail);
    await userWithPhoneThroughApi(t.server, userEmail, userPhone);
    await logInWithSms(adminEmail, adminPhone);

    // The user menu: "Admin console".
    await t.page.getByRole('banner').getByRole('button', { name: adminEmail }).click();
    await t.page.getByRole('menuitem', { name: 'Admin console' }).click();
    await t.page.waitForURL('**/admin');
    await t.page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const nav = t.page.getByRole('navigation', { name: 'Admin console' });
    await nav.getByRole('link', { name: 'Applications' }).waitFor(); // a deployment administrator
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Users',
      'Audit log',
      'Applications',
    ]);

    // Search by the start of the email address.
    await t.page.getByLabel('Email or name').fill('helpdesk-target');
    await t.page.getByRole('button', { name: 'Search' }).click();
    await t.page.getByRole('status').filter({ hasText: 'Showing 1 user.' }).waitFor();
    await t.page.getByRole('link', { name: userEmail }).click();
    await t.page.waitForURL('**/admin/users/*');
    await t.page.getByRole('heading', { name: userEmail, level: 1 }).waitFor();
    await t.page.getByText('+44 ••• ••• 3456').waitFor();

    // A dialog closes with Escape, and gives the focus back to its button.
    const endSessions = t.page.getByRole('button', { name: 'End all sessions' });
    await endSessions.click();
    const endDialog = t.page.getByRole('dialog', { name: 'End all sessions' });
    await endDialog.waitFor();
    await t.page.keyboard.press('Escape');
    await endDialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focused(t.page)).toBe('End all sessions');

    // "they can disable MFA temporarily": 24 hours by default, and a reason.
    await t.page.getByRole('button', { name: 'Turn off MFA temporarily' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Turn off MFA temporarily' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    const hours = dialog.getByLabel('For how many hours');
    expect(await hours.inputValue()).toBe('24');
    await expect.poll(() => focused(t.page)).toBe('mfa-off-hours');
    await dialog.getByText('without a code, until the time runs out').waitFor();
    // The reason is required.
    await dialog.getByRole('button', { name: 'Turn off MFA' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Enter the reason' }).waitFor();
    await dialog.getByLabel('Reason').fill('Ticket 4711: lost phone, travelling');
    await dialog.getByRole('button', { name: 'Turn off MFA' }).click();

    // The change lowers the user's protection: the administrator verifies their identity again.
    await dialog.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await dialog.getByRole('button', { name: 'Verify via text' }).click();
    await dialog.getByLabel('Verification code').waitFor();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(adminPhone));
    await dialog.waitFor({ state: 'hidden' });
    await t.page
      .getByRole('status')
      .filter({ hasText: /MFA is off for .* until / })
      .waitFor();
    await t.page.getByText(/^MFA off until /).waitFor();
    await t.page.getByRole('button', { name: 'Turn MFA back on' }).waitFor();

    // "or update your phone number": in international format, confirmed by the user later.
    await t.page.getByRole('button', { name: 'Update phone number' }).click();
    const phoneDialog = t.page.getByRole('dialog', { name: 'Update phone number' });
    await phoneDialog.getByText('for example +447546XXXXXX').waitFor();
    await phoneDialog.getByLabel('New mobile number').fill('+44 12');
    await phoneDialog.getByLabel('Reason').fill('Ticket 4712: new phone');
    await phoneDialog.getByRole('button', { name: 'Save the new number' }).click();
    await phoneDialog.getByRole('alert').filter({ hasText: 'international format' }).waitFor();
    const newNumber = phoneDialog.getByLabel('New mobile number');
    expect(await newNumber.getAttribute('aria-invalid')).toBe('true');
    await newNumber.fill('+447546123457');
    await phoneDialog.getByRole('button', { name: 'Save the new number' }).click();
    await phoneDialog.waitFor({ state: 'hidden' });
    await t.page.getByRole('status').filter({ hasText: 'is waiting for' }).waitFor();
    await t.page.getByText(/\+44 ••• ••• 3457, waiting for the user to confirm/).waitFor();

    // Turned back on early: the exemption ends at once.
    await t.page.getByRole('button', { name: 'Turn MFA back on' }).click();
    const onDialog = t.page.getByRole('dialog', { name: 'Turn MFA back on' });
    await onDialog.getByRole('button', { name: 'Turn MFA back on' }).click();
    await onDialog.waitFor({ state: 'hidden' });
    await t.page.getByRole('status').filter({ hasText: 'MFA is back on for' }).waitFor();
    await t.page.getByRole('button', { name: 'Turn off MFA temporarily' }).waitFor();
    // The focus is on what happened, not lost with the button that is gone.
    await expect.poll(() => focused(t.page)).toMatch(/^MFA is back on for/);

    // The audit log.
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await t.page.waitForURL('**/admin/audit');
    const row = t.page.getByRole('row').filter({ hasText: 'admin.mfa_exempted' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Ticket 4711: lost phone, travelling');
    expect(await row.textContent()).toContain(adminEmail);
    expect(await row.textContent()).toContain(userEmail);
    expect(await row.textContent()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const csv = t.page.getByRole('link', { name: 'Export CSV' });
    expect(await csv.getAttribute('href')).toBe('/api/v1/admin/audit-events/export?format=csv');

    // Filtered by action: the table and both export links follow.
    await t.page.getByLabel('Action').fill('admin.mfa_exempted');
    await t.page.getByRole('button', { name: 'Show events' }).click();
    await t.page
      .getByRole('status')
      .filter({ hasText: 'Showing 1 event, newest first.' })
      .waitFor();
    expect(await csv.getAttribute('href')).toBe(
      '/api/v1/admin/audit-events/export?format=csv&action=admin.mfa_exempted',
    );
    expect(await t.page.getByRole('link', { name: 'Export JSON lines' }).getAttribute('href')).toBe(
      '/api/v1/admin/audit-events/export?format=jsonl&action=admin.mfa_exempted',
    );
  });

  test('a member who opens the admin console is told only administrators can', async () => {
    const email = newEmail('helpdesk-member');
    await userWithPhoneThroughApi(t.server, email, userPhone);
    await logInWithSms(email, userPhone);
    await t.page.getByRole('banner').getByRole('button', { name: email }).click();
    expect(await t.page.getByRole('menuitem', { name: 'Admin console' }).count()).toBe(0);
    await t.page.goto(`${t.server.url}/admin`);
    await t.page
      .getByRole('alert')
      .filter({ hasText: 'Only administrators can open the admin console.' })
      .waitFor();
    expect(await t.page.getByRole('table').count()).toBe(0);
  });

  test('a visitor who is signed out is sent to sign in', async () => {
    await t.page.goto(`${t.server.url}/admin/audit`);
    await t.page.waitForURL('**/sign-in');
    await t.page.getByText('Please sign in to continue.').waitFor();
  });
});

describe.skipIf(!browserAvailable())('the admin console at AAL1', { timeout: 30_000 }, () => {
  const t = useBrowserSession();

  test('an administrator signed in with a password alone verifies a second factor, then pages through users and resends an invitation', async () => {
    const email = newEmail('console-aal1');
    await userWithPhoneThroughApi(t.server, email, userPhone);
    await t.server.app.services.store.db
      .updateTable('accounts')
      .set({ role: 'admin' })
      .where('email', '=', email)
      .execute();
    // email-first asks for no second factor at sign-in: the session has one (AAL1).
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/account');
    await t.page.goto(`${t.server.url}/admin`);
    await t.page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await t.page.getByText(/^This needs a sign-in with two factors\./).waitFor();
    // No filters or table until then.
    expect(await t.page.getByRole('search').count()).toBe(0);
    await t.page.getByRole('button', { name: 'Verify via text' }).click();
    await t.page.getByLabel('Verification code').waitFor();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(userPhone));
    await t.page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await t.page.getByRole('search', { name: 'Find users' }).waitFor();

    // Keyset pages of 25: "Next page", then "Previous" back to the first.
    for (let i = 0; i < 26; i++) await t.server.invite(newEmail('paging'));
    await t.page.getByLabel('Email or name').fill('paging');
    await t.page.getByLabel('State').selectOption('invited');
    await t.page.getByRole('button', { name: 'Search' }).click();
    const status = t.page.getByRole('status');
    await status.filter({ hasText: 'Showing 25 users.' }).waitFor();
    const previous = t.page.getByRole('button', { name: 'Previous' });
    expect(await previous.isDisabled()).toBe(true);
    const firstRow = await t.page.getByRole('row').nth(1).textContent();
    await t.page.getByRole('button', { name: 'Next page' }).click();
    await status.filter({ hasText: 'Showing 1 user.' }).waitFor();
    expect(await t.page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await previous.click();
    await status.filter({ hasText: 'Showing 25 users.' }).waitFor();
    expect(await t.page.getByRole('row').nth(1).textContent()).toBe(firstRow);
    expect(new URL(t.page.url()).search).toBe('?q=paging&state=invited');

    // An invitation not accepted yet is sent again.
    await t.page.getByRole('row').nth(1).getByRole('link').click();
    await t.page.getByRole('button', { name: 'Send the invitation again' }).click();
    const resend = t.page.getByRole('dialog', { name: 'Send the invitation again' });
    await resend.getByRole('button', { name: 'Send it again' }).click();
    await resend.waitFor({ state: 'hidden' });
    await t.page.getByRole('status').filter({ hasText: 'A new invitation was sent' }).waitFor();
    // Back keeps the search.
    await t.page.goBack();
    await t.page.getByRole('status').filter({ hasText: 'Showing 25 users.' }).waitFor();
    expect(await t.page.getByLabel('Email or name').inputValue()).toBe('paging');
  });
});
