/**
 * Passkeys (issue 5) in real Chromium with a CDP virtual authenticator (ctap2, internal, resident
 * keys, user verification), the pages served at http://localhost (WebAuthn refuses IP addresses):
 * adding a passkey on the security page after a step-up; signing out and back in with only the
 * passkey, by the "Sign in with a passkey" button and by autofill in the email field (conditional
 * mediation); the passkey as the second factor after a password; removing it (after a step-up
 * with it) and seeing it refused. And the attacks: user verification off, a replayed challenge,
 * the same credential registered for a second account, and assertions forged from the key
 * exported from the virtual authenticator with the wrong origin or RP ID hash.
 *
 * Chromium's virtual authenticator answers a conditional (autofill) request at once, as if the
 * user had picked the passkey from the email field. Tests of the other ways in (the button, the
 * password) play a browser without passkey autofill, where the page offers the button alone.
 */
import type { Locator, Page, Request } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable, useBrowserSession, VirtualAuthenticator } from '../helpers/browser.js';
import { strongMfaWithoutMinimum } from '../helpers/config.js';
import type { TestServer } from '../helpers/server.js';
import { importedCredential, signAssertion, SoftwareAuthenticator } from '../helpers/webauthn.js';
import {
  activeUserThroughApi,
  enterCode,
  expectAlert,
  goodPassword,
  newEmail,
  strongMfaUserThroughApi,
  submitSignIn,
  openAccountPage,
} from './steps.js';

/** Plays a browser without passkey autofill (conditional mediation): the button is the way in. */
async function withoutAutofill(page: Page): Promise<void> {
  await page.addInitScript(
    'PublicKeyCredential.isConditionalMediationAvailable = async () => false;',
  );
}

/** POSTs to the API as a page would (CSRF header, our Origin); answers status and body. */
async function api(server: TestServer, path: string, body?: unknown, cookie?: string) {
  const headers: Record<string, string> = { 'X-Portcullis-CSRF': '1', Origin: server.url };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (cookie) headers.Cookie = cookie;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const cookies = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: response.status, body: (await response.json()) as any, cookies }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Account Management → Security tab; returns the section called `name`. */
async function securitySection(page: Page, name: string): Promise<Locator> {
  if (!page.url().endsWith('/account')) await page.goto(new URL('/account', page.url()).href);
  await openAccountPage(page);
  await page.waitForURL('**/account/security');
  await page.getByRole('tab', { name: 'Security' }).click();
  return page.getByRole('region', { name });
}

async function signOut(page: Page, server: TestServer) {
  await page.goto(`${server.url}/account`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/sign-in');
  await page.getByText('You have signed out.').waitFor();
}

/** "Add a passkey" in the Passkeys section, once any step-up is done; names it. */
async function addPasskey(section: Locator, name: string) {
  await section.getByLabel('Passkey name').fill(name);
  await section.getByRole('button', { name: 'Create passkey' }).click();
  await section.getByText(`Your passkey “${name}” was added.`).waitFor();
}

async function expectSignedInWithPasskey(page: Page) {
  await page.waitForURL('**/account');
  await page.getByText('AAL2 — multi-factor').waitFor();
  await page.getByText(/^Passkey on this device or a security key at /).waitFor();
  await page.getByText(/^Fingerprint, face or PIN at /).waitFor();
}

describe.skipIf(!browserAvailable())('passkeys (email-first)', { timeout: 30_000 }, () => {
  const t = useBrowserSession(undefined, { host: 'localhost' });

  /**
   * A seed 000 user signed in with the password, with a virtual authenticator attached; in a
   * browser without passkey autofill unless `autofill`.
   */
  async function signedIn(email: string, autofill = false): Promise<VirtualAuthenticator> {
    await activeUserThroughApi(t.server, email);
    if (!autofill) await withoutAutofill(t.page);
    const authenticator = await VirtualAuthenticator.attach(t.page);
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/account');
    return authenticator;
  }

  /** Adds "Work laptop" after the step-up by email the security page asks for. */
  async function withPasskey(
    email: string,
    autofill = false,
  ): Promise<{ authenticator: VirtualAuthenticator; section: Locator }> {
    const authenticator = await signedIn(email, autofill);
    const section = await securitySection(t.page, 'Passkeys');
    await section.getByText('No passkeys yet.').waitFor();
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    // The step-up first: email is this account's only way, so a code is sent at once.
    await section.getByText('You will be required to verify your identity via email').waitFor();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
    await addPasskey(section, 'Work laptop');
    return { authenticator, section };
  }

  test('adds a passkey, signs out, and signs in with only the passkey', async () => {
    const email = newEmail('passkey-add');
    const { authenticator, section } = await withPasskey(email);
    const item = section.getByRole('listitem', { name: 'Work laptop' });
    await item.getByText('Not used yet').waitFor();
    await item.getByText('No, it stays on one device').waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);
    expect((await authenticator.credentials())[0]?.isResidentCredential).toBe(true);
    const [notice] = await t.server.outbox(email);
    expect(notice?.text).toContain('A passkey ("Work laptop") was added to your account.');

    // The button: no email, no password.
    await signOut(t.page, t.server);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInWithPasskey(t.page);
    const listed = await securitySection(t.page, 'Passkeys');
    await listed
      .getByRole('listitem', { name: 'Work laptop' })
      .getByText(/^Last used/)
      .waitFor();
    expect(
      await listed.getByRole('listitem', { name: 'Work laptop' }).getByText('Not used yet').count(),
    ).toBe(0);

    // Renaming it needs a step-up: the passkey itself is the way offered first.
    await listed.getByRole('button', { name: 'Rename' }).click();
    const stepUp = listed.getByRole('group', { name: 'Verify your identity' });
    await stepUp.getByRole('button', { name: 'Verify with a passkey' }).click();
    await stepUp.getByRole('button', { name: 'Use your passkey' }).click();
    await listed.getByLabel('Passkey name').fill('Home laptop');
    await listed.getByRole('button', { name: 'Save name' }).click();
    await listed.getByText('The passkey is now called “Home laptop”.').waitFor();
    await listed.getByRole('listitem', { name: 'Home laptop' }).waitFor();
  });

  test('offers the passkey in the email field (autofill), where the browser supports it', async () => {
    const email = newEmail('passkey-autofill');
    const { authenticator } = await withPasskey(email, true);
    // The sign-in page asks for a passkey in the email field as it loads; Chromium's virtual
    // authenticator picks it at once, as a user choosing it from the suggestions would.
    await t.page.goto(`${t.server.url}/account`);
    await t.page.getByRole('button', { name: 'Sign out' }).click();
    await expectSignedInWithPasskey(t.page);
    await t.page.getByRole('main').getByText(email).waitFor();
    expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(1);
  });

  test('shows a synced passkey as synced', async () => {
    const email = newEmail('passkey-synced');
    await activeUserThroughApi(t.server, email);
    await withoutAutofill(t.page);
    await VirtualAuthenticator.attach(t.page, { backupEligibility: true, backupState: true });
    await t.page.goto(`${t.server.url}/sign-in`);
    await submitSignIn(t.page, email, goodPassword);
    await t.page.waitForURL('**/account');
    const section = await securitySection(t.page, 'Passkeys');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await enterCode(t.page, 'Verification code', 'Verify', await t.server.latestCode(email));
    await addPasskey(section, 'Password manager');
    await section
      .getByRole('listitem', { name: 'Password manager' })
      .getByText('Yes, backed up to your account with its provider')
      .waitFor();
  });

  test('removes the passkey after a step-up with it; then it no longer signs in', async () => {
    const email = newEmail('passkey-remove');
    const { authenticator } = await withPasskey(email);
    t.server.clock.advance(6 * 60_000); // the step-up lapses: removing asks again

    const section = await securitySection(t.page, 'Passkeys');
    await section.getByRole('button', { name: 'Remove' }).click();
    const stepUp = section.getByRole('group', { name: 'Verify your identity' });
    await stepUp.getByRole('button', { name: 'Verify with a passkey' }).click();
    await stepUp.getByRole('button', { name: 'Use your passkey' }).click();
    await section.getByRole('button', { name: 'Remove passkey' }).click();
    await section.getByText('The passkey “Work laptop” was removed.').waitFor();
    await section.getByText('No passkeys yet.').waitFor();

    // The device still holds it, but the portal no longer knows it.
    expect(await authenticator.credentials()).toHaveLength(1);
    await signOut(t.page, t.server);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectAlert(t.page, /This passkey could not be verified/);
    expect(t.page.url()).toMatch(/\/sign-in$/);
  });

  test('refuses to sign in without user verification', async () => {
    const email = newEmail('passkey-uv');
    const { authenticator } = await withPasskey(email);
    await signOut(t.page, t.server);

    // The device cannot verify the user: the browser gets no passkey, nothing signs in.
    await authenticator.userVerified(false);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectAlert(t.page, /could not confirm it is you/);
    expect(t.page.url()).toMatch(/\/sign-in$/);

    // A device that answers with UV=0 anyway: the server refuses it.
    await authenticator.userVerified(true);
    await authenticator.badUserVerificationBit(true);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectAlert(t.page, /Your device did not confirm it is you/);
    expect(t.page.url()).toMatch(/\/sign-in$/);
    const me = await t.page.evaluate(async () => (await fetch('/api/v1/session')).status);
    expect(me).toBe(401);

    await authenticator.badUserVerificationBit(false);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInWithPasskey(t.page);
  });

  test('refuses a replayed challenge', async () => {
    const email = newEmail('passkey-replay');
    await withPasskey(email);
    await signOut(t.page, t.server);
    const sent: Request[] = [];
    t.page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/sign-in/passkey')) sent.push(request);
    });
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInWithPasskey(t.page);

    // The very request the page sent, sent again: its challenge was answered already.
    const body = JSON.parse(sent[0]!.postData()!) as { flow: string; credential: unknown };
    const replay = await api(t.server, '/sign-in/passkey', body);
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('CEREMONY_EXPIRED');
    // And the signed answer offered to a fresh ceremony.
    const fresh = await api(t.server, '/sign-in/passkey/options');
    const moved = await api(t.server, '/sign-in/passkey', {
      flow: fresh.body.flow,
      credential: body.credential,
    });
    expect(moved.body.error.code).toBe('PASSKEY_INVALID');
  });

  test('refuses assertions forged from the exported key with the wrong origin or RP ID hash', async () => {
    const email = newEmail('passkey-forged');
    const { authenticator } = await withPasskey(email);
    const [exported] = await authenticator.credentials();
    const key = importedCredential({
      credentialId: exported!.credentialId,
      privateKey: exported!.privateKey,
      userHandle: exported!.userHandle!,
      rpId: 'localhost',
      signCount: exported!.signCount,
    });

    const attempt = async (tweaks: Parameters<typeof signAssertion>[3]) => {
      const { body } = await api(t.server, '/sign-in/passkey/options');
      return api(t.server, '/sign-in/passkey', {
        flow: body.flow,
        credential: signAssertion(key, body.options, t.server.url, tweaks),
      });
    };
    const wrongOrigin = await attempt({ origin: 'https://evil.example' });
    expect([wrongOrigin.status, wrongOrigin.body.error.code]).toEqual([400, 'PASSKEY_INVALID']);
    const wrongRpId = await attempt({ rpId: 'evil.example' });
    expect([wrongRpId.status, wrongRpId.body.error.code]).toEqual([400, 'PASSKEY_INVALID']);
    const plainHttpOrigin = await attempt({
      origin: t.server.url.replace('localhost', '127.0.0.1'),
    });
    expect(plainHttpOrigin.body.error.code).toBe('PASSKEY_INVALID');

    // The same key, signing honestly, does sign in: the forgeries failed only on what they faked.
    const honest = await attempt({});
    expect(honest.body.status).toBe('signed_in');
    expect(honest.body.session.amr.map((m: { method: string }) => m.method)).toEqual([
      'hwk',
      'user',
    ]);
  });

  test('refuses the same credential registered for a second account', async () => {
    const email = newEmail('passkey-first');
    const { authenticator } = await withPasskey(email);
    const [exported] = await authenticator.credentials();
    const credentialId = Buffer.from(exported!.credentialId, 'base64').toString('base64url');

    // A second account claims that credential id in its own registration ceremony.
    const other = newEmail('passkey-second');
    await activeUserThroughApi(t.server, other);
    const signIn = await api(t.server, '/sign-in', { email: other, password: goodPassword });
    const cookie = signIn.cookies;
    const stepUp = await api(t.server, '/step-up/start', { channel: 'email' }, cookie);
    const verified = await api(
      t.server,
      '/step-up/verify',
      { flow: stepUp.body.flow.flow, code: await t.server.latestCode(other) },
      cookie,
    );
    const rotated = verified.cookies || cookie;
    const { body } = await api(t.server, '/passkeys/start', undefined, rotated);
    const forged = new SoftwareAuthenticator(t.server.url).create(body.registration.options, {
      credentialId,
    });
    const refused = await api(
      t.server,
      '/passkeys/finish',
      { flow: body.registration.flow, name: 'Not mine', credential: forged.response },
      rotated,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PASSKEY_ALREADY_REGISTERED');

    // The first account's passkey still signs it in.
    await signOut(t.page, t.server);
    await t.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInWithPasskey(t.page);
    await t.page.getByRole('main').getByText(email).waitFor();
  });
});

describe.skipIf(!browserAvailable())(
  'a passkey as the second factor (strong-mfa)',
  { timeout: 30_000 },
  () => {
    const t = useBrowserSession(
      { PORTCULLIS_POLICY: strongMfaWithoutMinimum() },
      { host: 'localhost' },
    );

    test('asks for the passkey after the password, and reaches AAL2', async () => {
      const email = newEmail('passkey-2fa');
      await strongMfaUserThroughApi(t.server, email);
      await withoutAutofill(t.page); // this user types the password
      await VirtualAuthenticator.attach(t.page);
      await t.page.goto(`${t.server.url}/sign-in`);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/account'); // no second factor yet
      // No factor yet: the fresh sign-in vouches for the first one (no step-up asked).
      const section = await securitySection(t.page, 'Passkeys');
      await section.getByRole('button', { name: 'Add a passkey' }).click();
      await addPasskey(section, 'Work laptop');

      await signOut(t.page, t.server);
      await submitSignIn(t.page, email, goodPassword);
      await t.page.waitForURL('**/sign-in/code');
      await t.page.getByRole('heading', { name: 'Use your passkey' }).waitFor();
      await t.page.getByRole('button', { name: 'Use a recovery code' }).waitFor();
      await t.page.getByRole('button', { name: 'Use your passkey' }).click();
      await t.page.waitForURL('**/account');
      await t.page.getByText('AAL2 — multi-factor').waitFor();
      await t.page.getByText(/^Password at /).waitFor();
      await t.page.getByText(/^Passkey on this device or a security key at /).waitFor();
    });
  },
);
