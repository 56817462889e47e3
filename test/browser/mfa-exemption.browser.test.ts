/**
 * Seed 002's help desk, the user's side, in real Chromium: an administrator turned MFA off for
 * 24 hours ("they can disable MFA temporarily"), so the password alone signs in and the account
 * and My Details pages say until when; once the server's fake clock passes the expiry, the login
 * asks for the SMS code again.
 */
import { describe, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  enterCode,
  goodPassword,
  newEmail,
  submitSignIn,
  userWithPhoneThroughApi,
} from './steps.js';

const phone = '+447546123456';
const HOUR = 3_600_000;

describe.skipIf(!browserAvailable())(
  "seed 002: an administrator's temporary MFA exemption",
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

    async function logIn(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await t.page.getByRole('button', { name: 'Login' }).waitFor();
      await submitSignIn(t.page, email, goodPassword);
    }

    test('the password alone signs in while it lasts; after it, the SMS code is asked again', async () => {
      const email = newEmail('exempt');
      await userWithPhoneThroughApi(t.server, email, phone);
      const { services } = t.server.app;
      const target = (await services.accounts.findByEmail(email))!;
      await services.adminUsers.actions.exemptFromMfa(
        {
          actor: { ...target, id: 'help-desk', role: 'admin' },
          target,
          reason: 'lost phone',
          origin: { ip: '203.0.113.7', userAgent: 'help desk' },
        },
        24,
      );

      await logIn(email);
      await t.page.waitForURL('**/account');
      const notice =
        /^Multi-factor authentication is turned off for your account until .+ by your administrator\.$/;
      await t.page.getByRole('status').filter({ hasText: notice }).waitFor();
      await t.page.getByText('AAL1 — single factor').waitFor();

      // My Details says so too.
      await t.page.getByRole('link', { name: 'My Details' }).click();
      await t.page.waitForURL('**/account/security');
      await t.page.getByRole('status').filter({ hasText: notice }).waitFor();

      // The exemption ends by itself: the next login texts the code again.
      t.server.clock.advance(24 * HOUR + 1);
      await t.context.clearCookies();
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await t.page
        .getByText('A six-digit code is sent to your registered phone number via SMS', {
          exact: false,
        })
        .waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
      await t.page.getByRole('heading', { name: 'Your account' }).waitFor();
      if ((await t.page.getByText('turned off for your account', { exact: false }).count()) > 0)
        throw new Error('the ended exemption is still shown');
    });
  },
);
