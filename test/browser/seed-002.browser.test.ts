/**
 * Seed 002 (multi-factor authentication, policy sms-required) step by step in real Chromium:
 * the phone is registered at the first login ("Update Phone Number", "Send Verification Code",
 * "Verify Code") and the user logs in again; every login then needs the six-digit code from an
 * SMS ("Code", "Verify Code"), with "Send code to email" as the fallback; the number is changed
 * in My Details → Multi-factor Authentication → Update, the code going to the new number.
 */
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  enterCode,
  expectAlert,
  goodPassword,
  latestSpokenCode,
  newEmail,
  signUpThroughApi,
  submitCode,
  submitSignIn,
  userWithPhoneThroughApi,
  wrongCodeFor,
} from './steps.js';

/** "+447546XXXXXX", a UK mobile libphonenumber accepts. */
const phone = '+447546123456';
const newPhone = '+447400123789';
/** A London landline: calls only. */
const landline = '+442079460123';

describe.skipIf(!browserAvailable())(
  'seed 002: multi-factor authentication by SMS',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

    /** "Enter your Email and Password, then click Login." */
    async function logIn(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await t.page.getByRole('heading', { name: 'Log in' }).waitFor();
      await t.page.getByRole('button', { name: 'Login' }).waitFor();
      await submitSignIn(t.page, email, goodPassword);
    }

    /** Logs in with the SMS code to the registered phone. */
    async function logInWithSms(email: string, to = phone): Promise<void> {
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(to));
      await t.page.waitForURL('**/account');
    }

    test('first login registers the phone, then every login takes the SMS code', async () => {
      const email = newEmail('seed002-first');
      await signUpThroughApi(t.server, email);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/verify-email');
      await submitCode(t.page, await t.server.latestCode(email));

      // "On the Update Phone Number screen, enter your mobile number in international format"
      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByRole('heading', { name: 'Update Phone Number' }).waitFor();
      await t.page
        .getByText(
          'Use the international format for your phone number — include the country code (for example +44 for the UK) and drop the leading zero.',
        )
        .waitFor();
      expect(await t.page.getByRole('button', { name: 'Skip for Now' }).count()).toBe(0);
      const input = t.page.getByLabel('Mobile number');
      // "… in international format, for example +447546XXXXXX": shown before anything is typed.
      expect(await input.inputValue()).toBe('');
      expect(await t.page.getByRole('alert').count()).toBe(0);
      await t.page
        .getByText('Enter your mobile number in international format, for example +447546XXXXXX.')
        .waitFor();
      expect(await input.getAttribute('aria-describedby')).toBeTruthy();
      const described = await t.page
        .locator(`#${(await input.getAttribute('aria-describedby'))?.split(' ')[0] ?? ''}`)
        .textContent();
      expect(described).toContain('for example +447546XXXXXX');
      expect(await input.getAttribute('autocomplete')).toBe('tel');
      expect(await input.getAttribute('inputmode')).toBe('tel');
      await input.fill(phone);
      // "Click Send Verification Code. A six-digit code is sent to your phone."
      await t.page.getByRole('button', { name: 'Send Verification Code' }).click();
      await t.page.getByText('A six-digit code is sent to your phone', { exact: false }).waitFor();
      await t.page.getByText('Codes will be valid for 60 seconds.', { exact: false }).waitFor();
      // "Enter the code and click Verify Code. You are returned to the login screen to log in again."
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      await t.page.waitForURL('**/sign-in');
      await t.page
        .getByRole('status')
        .filter({ hasText: 'Your phone number is verified. Sign in again to continue.' })
        .waitFor();

      // "Log in with MFA": password, then "A six-digit code is sent to your registered phone
      // number via SMS. Enter the code in the Code field. Click Verify Code."
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page
        .getByText('A six-digit code is sent to your registered phone number via SMS', {
          exact: false,
        })
        .waitFor();
      await t.page.getByRole('button', { name: 'Send code to email' }).waitFor();
      await t.page.getByRole('button', { name: 'Call me' }).waitFor();
      await t.page
        .getByText('less secure than an authenticator app or a passkey', { exact: false })
        .waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      // "You are logged in to Provider Portal."
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
      await t.page.getByText('Text message code').waitFor();
    });

    test('"Send code to email": the code arrives by email and signs in at AAL1', async () => {
      const email = newEmail('seed002-email');
      await userWithPhoneThroughApi(t.server, email, phone);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByRole('button', { name: 'Send code to email' }).click();
      await t.page
        .getByText(/We sent a new code to \*+@example\.com\. Earlier codes no longer work\./)
        .waitFor();
      await t.page
        .getByText('A six-digit code is sent to your email address', { exact: false })
        .waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(email));
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL1 — single factor').waitFor(); // an email code is never AAL2 (S9)
    });

    test('a wrong SMS code says how many tries are left', async () => {
      const email = newEmail('seed002-wrong');
      await userWithPhoneThroughApi(t.server, email, phone);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await enterCode(
        t.page,
        'Code',
        'Verify Code',
        wrongCodeFor(await t.server.latestCode(phone)),
      );
      await expectAlert(t.page, /4 tries left/);
      expect(await t.page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );
    });

    test('a landline cannot get texts: "Call me" reads the code out instead', async () => {
      const email = newEmail('seed002-landline');
      await signUpThroughApi(t.server, email);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/verify-email');
      await submitCode(t.page, await t.server.latestCode(email));
      await t.page.waitForURL('**/sign-in/phone');
      await t.page.getByLabel('Mobile number').fill(landline);
      await t.page.getByRole('button', { name: 'Send Verification Code' }).click();
      await expectAlert(t.page, /cannot receive text messages/);
      await t.page.getByRole('button', { name: 'Call me' }).click();
      await t.page.getByText('We are calling your phone •••• ••• 123', { exact: false }).waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await latestSpokenCode(t.server, landline));
      await t.page.waitForURL('**/sign-in');
      await t.page.getByText('Your phone number is verified.', { exact: false }).waitFor();
    });

    test('My Details → Multi-factor Authentication → Update: the code goes to the new number and the old one is told', async () => {
      const email = newEmail('seed002-change');
      await userWithPhoneThroughApi(t.server, email, phone);
      await logInWithSms(email);

      // "Navigate to My Details."
      await t.page.getByRole('link', { name: 'My Details' }).click();
      await t.page.waitForURL('**/account/security');
      await t.page.getByRole('heading', { name: 'My Details', level: 1 }).waitFor();
      const section = t.page.getByRole('region', { name: 'Multi-factor Authentication' });
      await section.getByText('•••• ••• 456', { exact: true }).waitFor();
      expect(await section.getByRole('button', { name: 'Remove' }).count()).toBe(0); // required factor

      // "Update your phone number in the Multi-factor Authentication section."
      await section.getByRole('button', { name: 'Update' }).click();
      await section
        .getByText('You will be required to verify your identity', { exact: false })
        .waitFor();
      await section.getByRole('button', { name: 'Verify via email' }).waitFor();
      await section.getByRole('button', { name: 'Verify via text' }).click();
      await section.getByText('We sent a six-digit code to •••• ••• 456.').waitFor();
      await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(phone));

      await section.getByLabel('Mobile number').fill(newPhone);
      // "Click Update. A verification code is sent to the new number. Enter it to confirm the change."
      await section.getByRole('button', { name: 'Update', exact: true }).click();
      await section
        .getByText('A text has been sent to the phone above.', { exact: false })
        .waitFor();
      await enterCode(
        t.page,
        'Enter Two-Factor verification code',
        'Submit',
        await t.server.latestCode(newPhone),
      );
      await section.getByRole('button', { name: 'Done' }).click();
      await section.getByText('•••• ••• 789', { exact: true }).waitFor();
      expect(await section.getByText('•••• ••• 456', { exact: true }).count()).toBe(0);

      // The old number is told of the change (and gets no code); the next login texts the new one.
      const [notice] = await t.server.outbox(phone);
      expect(notice?.text).toMatch(/changed to a number ending in 789/);
      expect(notice?.text).not.toMatch(/\d{6}/);
      await t.context.clearCookies();
      await logInWithSms(email, newPhone);
    });

    test('reloading the code step keeps the login going', async () => {
      const email = newEmail('seed002-reload');
      await userWithPhoneThroughApi(t.server, email, phone);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.reload();
      await t.page.getByLabel('Code', { exact: true }).waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      await t.page.waitForURL('**/account');
    });
  },
);
