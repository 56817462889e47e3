/**
 * The hosted pages in real Chromium: sign-up, invitation, sign-in with email verification, the
 * account and sessions pages, sign-out, the development outbox, and the errors a user can meet.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  expectAlert,
  goodPassword,
  newEmail,
  reachVerifyStep,
  signUpThroughApi,
  skipPhone,
  submitCode,
  submitSignIn,
  wrongCodeFor,
} from './steps.js';

describe.skipIf(!browserAvailable())('hosted account pages', { timeout: 30_000 }, () => {
  const t = useBrowserSession();

  /** Signs the (verified) user in from a second t.browser, as if on another device; the phone
   *  offer was skipped on the first device, so it is not asked again. */
  async function signInElsewhere(email: string): Promise<Page> {
    const other = await (await t.browser.newContext()).newPage();
    await other.goto(`${t.server.url}/sign-in`);
    await submitSignIn(other, email, goodPassword);
    await other.waitForURL('**/account');
    return other;
  }

  test('a new user signs up, verifies their email at first sign-in, sees their sessions and signs out', async () => {
    const email = newEmail('new');
    await t.page.goto(`${t.server.url}/sign-up`);
    await t.page.getByText('Use 12 to 128 characters', { exact: false }).waitFor();
    await t.page.getByLabel('Email address').fill(email);
    await t.page.getByLabel('Choose a password').fill(goodPassword);
    await t.page.getByText('Password strength:').waitFor();
    await t.page.getByRole('button', { name: 'Create account' }).click();
    await t.page.getByRole('status').waitFor();
    await t.page.getByRole('link', { name: 'Sign in' }).click();

    await t.page.waitForURL('**/sign-in');
    expect(await t.page.getByLabel('Email address').inputValue()).toBe(email);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/sign-in/verify-email');
    expect(new URL(t.page.url()).search).toBe(''); // the flow token never goes in the URL
    await t.page.getByText(/a 6-digit code to .+@example\.com/).waitFor();
    await t.page.getByText('Codes will be valid for 10 minutes.').waitFor();
    expect(await t.page.getByRole('button', { name: 'Resend code' }).isDisabled()).toBe(true);

    await submitCode(t.page, await t.server.latestCode(email));
    await t.page.waitForURL('**/sign-in/phone'); // a phone is offered next (seed 000)
    await skipPhone(t.page);
    await t.page.getByText(email, { exact: true }).waitFor();
    await t.page.getByText('VERIFIED', { exact: true }).waitFor();

    await t.page.getByRole('link', { name: 'Manage your sessions' }).click();
    await t.page.waitForURL('**/account/sessions');
    await t.page.getByText('This device', { exact: true }).waitFor();
    await t.page.getByRole('link', { name: 'Back to your account' }).click();

    await t.page.getByRole('button', { name: 'Sign out' }).click();
    await t.page.waitForURL('**/sign-in');
    await t.page.getByText('You have signed out.').waitFor();
    await t.page.goto(`${t.server.url}/account`);
    await t.page.waitForURL('**/sign-in');
    await t.page.getByLabel('Email address').waitFor();
  });

  test('an invited user sets a password from the emailed link, then signs in and verifies', async () => {
    const email = newEmail('invited');
    const { link } = await t.server.invite(email);
    await t.page.goto(link);
    await t.page.waitForURL('**/accept-invitation'); // the token leaves the address bar
    expect(await t.page.getByLabel('Email address').inputValue()).toBe(email);
    await t.page.getByLabel('Choose a password').fill(goodPassword);
    await t.page.getByRole('button', { name: 'Set password' }).click();
    await t.page.getByRole('status').waitFor();
    await t.page.getByRole('link', { name: 'Sign in' }).click();

    await t.page.waitForURL('**/sign-in');
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/sign-in/verify-email');
    await submitCode(t.page, await t.server.latestCode(email));
    await skipPhone(t.page);
    await t.page.getByText('VERIFIED', { exact: true }).waitFor();
  });

  test('an unknown invitation link says it cannot be used', async () => {
    await t.page.goto(`${t.server.url}/accept-invitation?token=${'x'.repeat(43)}`);
    await expectAlert(t.page, /not valid/i);
    await t.page.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
  });

  test('a truncated invitation link says it cannot be used', async () => {
    await t.page.goto(`${t.server.url}/accept-invitation?token=abc`);
    await expectAlert(t.page, /not valid/i);
    await t.page.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
  });

  test('sign-up shows why an email address is refused', async () => {
    await t.page.goto(`${t.server.url}/sign-up`);
    await t.page.getByLabel('Email address').fill('not-an-email');
    await t.page.getByLabel('Choose a password').fill(goodPassword);
    await t.page.getByRole('button', { name: 'Create account' }).click();
    await expectAlert(t.page, /valid email address/i);
    expect(await t.page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
  });

  test("sign-up shows the server's reason for refusing a weak password", async () => {
    await t.page.goto(`${t.server.url}/sign-up`);
    await t.page.getByLabel('Email address').fill(newEmail('weak'));
    await t.page.getByLabel('Choose a password').fill('password1234');
    await t.page.getByText(/Password strength: (Very weak|Weak)/).waitFor();
    await t.page.getByRole('button', { name: 'Create account' }).click();
    await expectAlert(t.page, /commonly used/i);
    const input = t.page.getByLabel('Choose a password');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.getAttribute('aria-describedby')).toContain('sign-up-error');
  });

  test('a wrong password is refused on the sign-in page', async () => {
    const email = newEmail('wrong-password');
    await signUpThroughApi(t.server, email);
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, 'not-the-right-password-at-all');
    await expectAlert(t.page, /email address or password is not right/i);
    expect(t.page.url()).toBe(`${t.server.url}/sign-in`);
    expect(await t.page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
  });

  test('repeated wrong passwords tell the user when they can try again', async () => {
    const email = newEmail('throttled');
    await signUpThroughApi(t.server, email);
    await t.page.goto(`${t.server.url}/sign-in`);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await submitSignIn(t.page, email, `wrong-password-number-${attempt}`);
      await expectAlert(t.page, /email address or password is not right/i);
    }
    await submitSignIn(t.page, email, goodPassword);
    await expectAlert(t.page, /try again in 1 second/i);
  });

  test('a wrong verification code says how many tries are left', async () => {
    const email = newEmail('wrong-code');
    await signUpThroughApi(t.server, email);
    await reachVerifyStep(t.page, t.server, email);
    await submitCode(t.page, wrongCodeFor(await t.server.latestCode(email)));
    await expectAlert(t.page, /4 tries left/i);
    expect(await t.page.getByLabel('Verification code').getAttribute('aria-invalid')).toBe('true');
  });

  test('an expired code is refused, and a resent code signs the user in', async () => {
    const email = newEmail('expired');
    await signUpThroughApi(t.server, email);
    await reachVerifyStep(t.page, t.server, email);
    const oldCode = await t.server.latestCode(email);
    t.server.clock.advance(11 * 60_000);

    await submitCode(t.page, oldCode);
    await expectAlert(t.page, /expired/i);
    await t.page.getByRole('button', { name: 'Resend code' }).click();
    await t.page.getByText(/We sent a new code/).waitFor();
    const newCode = await t.server.latestCode(email);
    expect(newCode).not.toBe(oldCode);
    await submitCode(t.page, newCode);
    await skipPhone(t.page);
    await t.page.getByText('VERIFIED', { exact: true }).waitFor();
  });

  test('reloading the verify-email page keeps the sign-in going', async () => {
    const email = newEmail('reload');
    await signUpThroughApi(t.server, email);
    await reachVerifyStep(t.page, t.server, email);
    await t.page.reload();
    await t.page.getByText(/a 6-digit code to .+@example\.com/).waitFor();
    await submitCode(t.page, await t.server.latestCode(email));
    await skipPhone(t.page);
  });

  test('the sessions page signs out one other device, then all the others', async () => {
    const email = newEmail('devices');
    await signUpThroughApi(t.server, email);
    await reachVerifyStep(t.page, t.server, email);
    await submitCode(t.page, await t.server.latestCode(email));
    await skipPhone(t.page);
    const others = await Promise.all([signInElsewhere(email), signInElsewhere(email)]);

    await t.page.goto(`${t.server.url}/account/sessions`);
    await t.page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await t.page.getByText(/Signed out Chrome on /).waitFor();
    await t.page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await t.page.getByText('Signed out 1 other session.').waitFor();
    await t.page.getByText('No other devices are signed in.').waitFor();

    for (const other of others) {
      await other.reload();
      await other.waitForURL('**/sign-in');
      await other.context().close();
    }
  });

  test('the development outbox shows the verification email', async () => {
    const email = newEmail('outbox');
    await signUpThroughApi(t.server, email);
    await reachVerifyStep(t.page, t.server, email);
    const code = await t.server.latestCode(email);

    await t.page.goto(`${t.server.url}/dev/outbox`);
    await t.page.getByLabel('Recipient').fill(email);
    await t.page.getByRole('button', { name: 'Refresh' }).click();
    await t.page
      .getByText(new RegExp(`\\b${code}\\b`))
      .first()
      .waitFor();
    await t.page.getByText(email, { exact: true }).first().waitFor();
  });

  test('the outbox page says the outbox is off when the API does not offer it', async () => {
    // In production the route is not registered; the server answers like any unknown route.
    await t.page.route('**/api/v1/dev/outbox**', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'There is nothing here.' } }),
      }),
    );
    await t.page.goto(`${t.server.url}/dev/outbox`);
    await t.page.getByText('The development outbox is turned off.', { exact: false }).waitFor();
  });
});
