/**
 * Seed 000 ("Adding a mobile phone number to your account", policy email-first) step by step in
 * real Chromium: new users verify their email, are offered a phone on the Two-Factor
 * Authentication page and may "Skip for Now"; active users add one from Account Management →
 * Security → Change after verifying their identity by email, then "Verify Mobile Number",
 * "Submit" and "Done". Codes are read from the development outbox.
 */
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  activeUserThroughApi,
  enterCode,
  expectAlert,
  goodPassword,
  newEmail,
  reachVerifyStep,
  signUpThroughApi,
  submitCode,
  submitSignIn,
  userWithPhoneThroughApi,
  verifiedThroughApi,
  wrongCodeFor,
} from './steps.js';

/** A US number libphonenumber accepts as "fixed line or mobile" (texts and calls). */
const mobile = '+1 202 555 0143';
const mobileE164 = '+12025550143';
const masked = '•••• ••• 143';

describe.skipIf(!browserAvailable())(
  'seed 000: a phone for two-factor authentication',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession();

    /** Signs in with the password; the account owes nothing more, so it lands on /account. */
    async function signInToAccount(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account');
    }

    /** "the drop-down menu on the top, right side of your screen" → Account Management → Security. */
    async function openSecurityTab(): Promise<void> {
      await t.page
        .getByRole('banner')
        .getByRole('button', { name: /@example\.com/ })
        .click();
      await t.page.getByRole('menuitem', { name: 'Account Management' }).click();
      await t.page.waitForURL('**/account/security');
      await t.page.getByRole('heading', { name: 'Account Management', level: 1 }).waitFor();
      await t.page.getByRole('tab', { name: 'Security' }).click();
      await t.page
        .getByRole('heading', { name: 'Update Two-Factor Authentication Methods' })
        .waitFor();
    }

    test('new user: verifies the email, skips the phone for now and is told how to add it later', async () => {
      const email = newEmail('seed000-new');
      await t.page.goto(`${t.server.url}/sign-up`);
      await t.page.getByLabel('Email address').fill(email);
      await t.page.getByLabel('Choose a password').fill(goodPassword);
      await t.page.getByRole('button', { name: 'Create account' }).click();
      await t.page.getByRole('link', { name: 'Sign in' }).click();
      await t.page.waitForURL('**/sign-in');
      await submitSignIn(t.page, email, goodPassword);

      // "you will be prompted to verify your email address first"
      await t.page.waitForURL('**/sign-in/verify-email');
      await submitCode(t.page, await t.server.latestCode(email));

      // "You will then have the option to enter a mobile number … or you can skip this step"
      await t.page.waitForURL('**/sign-in/phone');
      expect(new URL(t.page.url()).search).toBe('');
      await t.page.getByRole('heading', { name: 'Two-Factor Authentication' }).waitFor();
      await t.page.getByRole('status').filter({ hasText: 'Success' }).waitFor();
      await t.page.getByText('Your email address has been verified.', { exact: false }).waitFor();
      await t.page
        .getByText(/we'll send a code to \*+@example\.com to confirm your identity/)
        .waitFor();
      await t.page
        .getByText('We also recommend you verify a phone number to enable SMS authentication.')
        .waitFor();
      await t.page.getByLabel('Mobile phone number').waitFor();
      await t.page.getByRole('button', { name: 'Verify', exact: true }).waitFor();

      // "you will see a pop-up notice letting you know how to enter this information later"
      await t.page.getByRole('button', { name: 'Skip for Now' }).click();
      await t.page.waitForURL('**/account');
      const notice = t.page.getByRole('dialog', { name: 'You can add a phone number later' });
      await notice.getByText(/Account Management.*Security tab.*“Change”/).waitFor();
      await notice.getByRole('button', { name: 'OK' }).click();
      await notice.waitFor({ state: 'hidden' });
      await t.page.reload();
      await t.page.getByRole('heading', { name: 'Your account' }).waitFor();
      expect(await t.page.getByRole('dialog').count()).toBe(0); // the notice is shown once

      await openSecurityTab();
      await t.page.getByText('Email verification is required *').waitFor();
      await t.page.getByText(/^\*+@example\.com$/).waitFor();
      await t.page.getByText('VERIFIED', { exact: true }).waitFor();
      await t.page
        .getByText('For more security, verify a phone number to enable SMS authentication.')
        .waitFor();
      await t.page.getByText('No phone number yet.').waitFor();
      await t.page.getByRole('button', { name: 'Change' }).waitFor();

      // The offer is not made again at the next sign-in.
      await t.context.clearCookies();
      await signInToAccount(email);
    });

    test('new user: verifies a mobile number on the Two-Factor Authentication page', async () => {
      const email = newEmail('seed000-enrol');
      await signUpThroughApi(t.server, email);
      await reachVerifyStep(t.page, t.server, email);
      await submitCode(t.page, await t.server.latestCode(email));

      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify', exact: true }).click();
      await t.page
        .getByText(`A six-digit code is sent to your phone ${masked}.`, { exact: false })
        .waitFor();
      await t.page.getByText('Codes will be valid for 60 seconds.', { exact: false }).waitFor();
      expect(await t.page.getByLabel('Code', { exact: true }).getAttribute('autocomplete')).toBe(
        'one-time-code',
      );
      expect(await t.page.getByLabel('Code', { exact: true }).getAttribute('inputmode')).toBe(
        'numeric',
      );
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(mobileE164));

      await t.page.waitForURL('**/account');
      await openSecurityTab();
      await t.page.getByText(masked, { exact: true }).waitFor();
      // The email is told a phone was added (S21).
      const [notice] = await t.server.outbox(email);
      expect(notice?.text).toContain('143');
    });

    test('active user: Account Management → Security → Change, verify by email, Verify Mobile Number, Submit, Done', async () => {
      const email = newEmail('seed000-active');
      await activeUserThroughApi(t.server, email);
      await signInToAccount(email);

      // "click on the drop-down menu … and select Account Management"; "select the Security tab
      // and click the Change button"
      await openSecurityTab();
      await t.page.getByRole('button', { name: 'Change' }).click();

      // "You will be required to verify your identity via email to make this update."
      await t.page
        .getByText('You will be required to verify your identity via email to make this update.')
        .waitFor();
      await t.page.getByText(/We sent a six-digit code to \*+@example\.com/).waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));

      // "enter a mobile phone number and click Verify Mobile Number"
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify Mobile Number' }).click();
      await t.page
        .getByText(
          'A text has been sent to the phone above. Enter the verification code from that text to complete the process. Codes will be valid for 60 seconds.',
        )
        .waitFor();
      await t.page.getByText("Didn't receive a verification code?", { exact: false }).waitFor();
      await t.page.getByRole('button', { name: 'Resend code' }).waitFor();

      // "A verification code will be sent to your mobile device … click Submit"
      const [text] = await t.server.outbox(mobileE164);
      expect(text?.text).toMatch(/^Your Spectera Provider Portal verification code is: \d{6}\./);
      expect(text?.text).toContain("If you didn't initiate this request, contact Customer Service");
      await enterCode(
        t.page,
        'Enter Two-Factor verification code',
        'Submit',
        await t.server.latestCode(mobileE164),
      );

      // "After your code has been verified, you can click Done to save your changes."
      await t.page.getByText(`Your phone number ${masked} is verified`, { exact: false }).waitFor();
      await t.page.getByRole('button', { name: 'Done' }).click();
      await t.page
        .getByRole('status')
        .filter({ hasText: `Your phone number is now ${masked}.` })
        .waitFor();
      const phoneSection = t.page.getByRole('region', { name: 'Phone Number' });
      await phoneSection.getByText(masked, { exact: true }).waitFor();
      await phoneSection.getByText('Text messages and calls').waitFor();
    });

    test('after the step-up lapses a change asks again, now with a choice of email or text', async () => {
      const email = newEmail('seed000-choice');
      await activeUserThroughApi(t.server, email);
      await signInToAccount(email);
      await openSecurityTab();
      await t.page.getByRole('button', { name: 'Change' }).click();
      await t.page.getByLabel('Verification code').waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify Mobile Number' }).click();
      // The code is read once the page asks for it (it has been sent by then).
      await t.page.getByLabel('Enter Two-Factor verification code').waitFor();
      await enterCode(
        t.page,
        'Enter Two-Factor verification code',
        'Submit',
        await t.server.latestCode(mobileE164),
      );
      await t.page.getByRole('button', { name: 'Done' }).click();

      // Six minutes on, the five-minute step-up is over: the server asks again (STEP_UP_REQUIRED).
      t.server.clock.advance(6 * 60_000);
      await t.page.getByRole('button', { name: 'Change' }).click();
      await t.page.getByLabel('Mobile phone number').fill('+1 202 555 0187');
      await t.page.getByRole('button', { name: 'Verify Mobile Number' }).click();
      await t.page.getByText('verify your identity again', { exact: false }).waitFor();

      // "Once you enter a mobile phone number, you can choose between the two verification options"
      await t.page.getByRole('button', { name: 'Verify via email' }).waitFor();
      await t.page.getByRole('button', { name: 'Verify via text' }).click();
      await t.page.getByText(`We sent a six-digit code to ${masked}.`).waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(mobileE164));
      await t.page.getByLabel('Mobile phone number').waitFor();
    });

    test('the phone code: resend waits for its cooldown, a wrong code says the tries left, an expired code says so', async () => {
      const email = newEmail('seed000-codes');
      await verifiedThroughApi(t.server, email); // verified, phone offer not answered yet

      // "The first time you log in after this enhancement … redirected to a Two-Factor
      // Authentication page" — no email verification this time, so no success notice.
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByRole('heading', { name: 'Two-Factor Authentication' }).waitFor();
      expect(await t.page.getByText('Your email address has been verified.').count()).toBe(0);
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify', exact: true }).click();
      await t.page.getByLabel('Code', { exact: true }).waitFor();
      const first = await t.server.latestCode(mobileE164);

      // Resend is held for 30 seconds, on the page and by the t.server.
      expect(await t.page.getByRole('button', { name: 'Resend code' }).isDisabled()).toBe(true);
      await t.page.getByText(/You can ask for a new code in 0:[0-3]\d\./).waitFor();
      await t.page.getByRole('button', { name: 'Change number' }).click();
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify', exact: true }).click();
      await expectAlert(t.page, /Please wait \d+ seconds before asking for another code\./);
      await t.page.getByRole('button', { name: 'Cancel' }).click();

      // A wrong code: the tries left.
      await enterCode(t.page, 'Code', 'Verify Code', wrongCodeFor(first));
      await expectAlert(t.page, /That code is not right\. 4 tries left\./);
      expect(await t.page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );

      // "Codes will be valid for 60 seconds": 61 seconds later the code has expired.
      t.server.clock.advance(61_000);
      await enterCode(t.page, 'Code', 'Verify Code', first);
      await expectAlert(t.page, /expired/i);
      await t.page.getByText('This code has expired.', { exact: false }).waitFor();
      await t.page.getByRole('button', { name: 'Resend code' }).click();
      await t.page
        .getByText(`We sent a new code to ${masked}. Earlier codes no longer work.`)
        .waitFor();
      const second = await t.server.latestCode(mobileE164);
      expect(second).not.toBe(first);
      await enterCode(t.page, 'Code', 'Verify Code', second);
      await t.page.waitForURL('**/account');
    });

    test('Update Two-Factor Authentication Methods: Email Address → Verify Email Address, by a code sent to it', async () => {
      const email = newEmail('seed000-reverify');
      await activeUserThroughApi(t.server, email);
      await signInToAccount(email);
      await openSecurityTab();
      // "#### Email Address … VERIFIED … Verify Email Address"
      await t.page.getByText('Email verification is required *').waitFor();
      await t.page.getByRole('button', { name: 'Verify Email Address' }).click();
      await t.page
        .getByText(/We sent a code to \*+@example\.com\. Enter it to verify your email address\./)
        .waitFor();
      const code = await t.server.latestCode(email);
      await enterCode(t.page, 'Verification code', 'Verify', wrongCodeFor(code));
      await expectAlert(t.page, /That code is not right/);
      await enterCode(t.page, 'Verification code', 'Verify', code);
      await t.page
        .getByRole('status')
        .filter({ hasText: /Your email address \*+@example\.com is verified\./ })
        .waitFor();
      await t.page.getByText('VERIFIED', { exact: true }).waitFor();
      await t.page.getByRole('button', { name: 'Verify Email Address' }).waitFor();
    });

    test('a phone can be removed after verifying by email, and the email is told', async () => {
      const email = newEmail('seed000-remove');
      await userWithPhoneThroughApi(t.server, email, mobileE164);
      await signInToAccount(email);
      await openSecurityTab();
      const section = t.page.getByRole('region', { name: 'Phone Number' });
      await section.getByText(masked, { exact: true }).waitFor();
      await section.getByRole('button', { name: 'Remove' }).click();
      await section.getByRole('button', { name: 'Verify via text' }).waitFor();
      await section.getByRole('button', { name: 'Verify via email' }).click();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
      await section.getByText(`Remove ${masked} from your account?`, { exact: false }).waitFor();
      await section.getByRole('button', { name: 'Remove phone number' }).click();
      await section
        .getByRole('status')
        .filter({ hasText: 'The phone number was removed' })
        .waitFor();
      await section.getByText('No phone number yet.').waitFor();
      const [notice] = await t.server.outbox(email);
      expect(notice?.text).toContain(`${masked} was removed`);
    });

    test('the security page opens from its address, and sends signed-out visitors to sign in', async () => {
      await t.page.goto(`${t.server.url}/account/security`);
      await t.page.waitForURL('**/sign-in');
      const email = newEmail('seed000-direct');
      await activeUserThroughApi(t.server, email);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account');
      await t.page.goto(`${t.server.url}/account/security`);
      await t.page
        .getByRole('heading', { name: 'Update Two-Factor Authentication Methods' })
        .waitFor();
    });

    test('reloading the phone step keeps the sign-in going', async () => {
      const email = newEmail('seed000-reload');
      await verifiedThroughApi(t.server, email);
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByLabel('Mobile phone number').fill(mobile);
      await t.page.getByRole('button', { name: 'Verify', exact: true }).click();
      await t.page.getByLabel('Code', { exact: true }).waitFor();
      await t.page.reload();
      await t.page
        .getByText(`A six-digit code is sent to your phone ${masked}.`, { exact: false })
        .waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(mobileE164));
      await t.page.waitForURL('**/account');
    });
  },
);
