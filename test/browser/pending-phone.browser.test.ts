/**
 * Seed 002's help desk updates a user's phone number ("ask your administrator to assist"), in real
 * Chromium: at the next login the code goes to the new number (read from the development
 * outbox), the page says the administrator updated it, the code confirms it and signs in, and
 * from then on the old number gets no code: the next login texts the new one.
 */
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession } from '../helpers/browser.js';
import {
  enterCode,
  goodPassword,
  newEmail,
  submitSignIn,
  userWithPhoneThroughApi,
} from './steps.js';

const phone = '+447546123456';
const newPhone = '+447400123789';

describe.skipIf(!browserAvailable())(
  'seed 002: a phone number the administrator entered',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession({ PORTCULLIS_POLICY: 'sms-required', PHONE_DEFAULT_COUNTRY: 'GB' });

    async function logIn(email: string): Promise<void> {
      await t.page.goto(`${t.server.url}/sign-in`);
      await t.page.getByRole('button', { name: 'Login' }).waitFor();
      await submitSignIn(t.page, email, goodPassword);
    }

    test('the next login confirms the new number with a code sent to it; the old one stops', async () => {
      const email = newEmail('pending-phone');
      await userWithPhoneThroughApi(t.server, email, phone);
      const { services } = t.server.app;
      const account = (await services.accounts.findByEmail(email))!;
      await services.phones.setPending(
        account.id,
        { e164: newPhone, country: 'GB', kind: 'mobile' },
        'admin-1',
        t.server.clock.now(),
      );
      t.server.clock.advance(61_000); // the first login's resend cooldown has passed
      const toOld = (await t.server.outbox(phone)).length;

      await logIn(email);
      await t.page.waitForURL('**/sign-in/new-phone');
      await t.page.getByRole('heading', { name: 'Confirm your new phone number' }).waitFor();
      await t.page
        .getByText('Your administrator updated your phone number.', { exact: false })
        .waitFor();
      await t.page.getByText('(•••• ••• 789)', { exact: false }).waitFor();
      await t.page.getByRole('button', { name: 'Verify another way' }).waitFor();
      expect((await t.server.outbox(phone)).length).toBe(toOld); // no code to the old number
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(newPhone));
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();

      // The old number is told of the change, with no code in it.
      const [notice] = await t.server.outbox(phone);
      expect(notice?.text).toMatch(/changed to a number ending in 789/);
      expect(notice?.text).not.toMatch(/\d{6}/);

      // My Details shows the new number; the next login texts it, not the old one.
      await t.page.getByRole('link', { name: 'My Details' }).click();
      await t.page.waitForURL('**/account/security');
      const section = t.page.getByRole('region', { name: 'Multi-factor Authentication' });
      await section.getByText('•••• ••• 789', { exact: true }).waitFor();
      const oldCount = (await t.server.outbox(phone)).length;
      t.server.clock.advance(61_000);
      await t.context.clearCookies();
      await logIn(email);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByText('(•••• ••• 789)', { exact: false }).waitFor();
      expect((await t.server.outbox(phone)).length).toBe(oldCount);
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(newPhone));
      await t.page.waitForURL('**/account');
    });

    test('"Verify another way" keeps the current phone for this login', async () => {
      const email = newEmail('pending-other');
      await userWithPhoneThroughApi(t.server, email, phone);
      const { services } = t.server.app;
      const account = (await services.accounts.findByEmail(email))!;
      await services.phones.setPending(
        account.id,
        { e164: newPhone, country: 'GB', kind: 'mobile' },
        'admin-1',
        t.server.clock.now(),
      );
      t.server.clock.advance(61_000);
      await logIn(email);
      await t.page.waitForURL('**/sign-in/new-phone');
      await t.page.getByRole('button', { name: 'Verify another way' }).click();
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByText('(•••• ••• 456)', { exact: false }).waitFor();
      await enterCode(t.page, 'Code', 'Verify Code', await t.server.latestCode(phone));
      await t.page.waitForURL('**/account');
    });
  },
);
