/** Steps the browser stories share: what a user does on the hosted pages, one call each. */
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';

/** Strong enough for the server's rules, and free of the email and the portal's name. */
export const goodPassword = 'amber-quarry-violin-harbour-42';

let counter = 0;
export function newEmail(label: string): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}.${counter}@example.com`;
}

/** Creates an account through the public API (for stories that are not about sign-up). */
export async function signUpThroughApi(server: TestServer, email: string): Promise<void> {
  const response = await fetch(`${server.url}/api/v1/sign-up`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Portcullis-CSRF': '1', Origin: server.url },
    body: JSON.stringify({ email, password: goodPassword }),
  });
  if (response.status !== 202) throw new Error(`sign-up answered ${response.status}`);
}

export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  // "Sign in", or seed 002's "Login".
  await page.getByRole('button', { name: /^(Sign in|Login)$/ }).click();
}

/** Signs in with the right password and waits for the verify-email step. */
export async function reachVerifyStep(page: Page, server: TestServer, email: string) {
  await page.goto(`${server.url}/sign-in`);
  await submitSignIn(page, email, goodPassword);
  await page.waitForURL('**/sign-in/verify-email');
  await page.getByLabel('Verification code').waitFor();
}

export async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

/**
 * Seed 000: "click on the drop-down menu on the top, right side of your screen and select
 * “Account Management”" — the menu's first entry, the account page by whatever name the portal
 * gives it (ACCOUNT_PAGE_TITLE or the preset's own).
 */
export async function openAccountPage(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: /@/ }).click();
  await page.getByRole('menu').getByRole('menuitem').first().click();
  await page.waitForURL('**/account/security');
}

/** Waits for an alert saying `expected`; on failure, reports what the page said instead. */
export async function expectAlert(page: Page, expected: RegExp): Promise<void> {
  try {
    await page.getByRole('alert').filter({ hasText: expected }).waitFor({ timeout: 5_000 });
  } catch {
    const shown = await page.getByRole('alert').allTextContents();
    throw new Error(
      `expected an alert matching ${expected}, the page shows: ${JSON.stringify(shown)}`,
    );
  }
}

/** A six-digit code that is not the one that was sent. */
export function wrongCodeFor(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

// ---------------------------------------------------------------------------------------------
// The phone factor (seeds 000 and 002).

/**
 * POSTs to the public API as a page would (CSRF header, same origin); throws on an error.
 * `cookie` signs the request in (a session cookie from `signInThroughApi`).
 */
async function post<T>(
  server: TestServer,
  path: string,
  body: unknown,
  cookie?: string,
): Promise<T> {
  const headers: Record<string, string> = { 'X-Portcullis-CSRF': '1', Origin: server.url };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (cookie) headers.Cookie = cookie;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const answer = (text ? JSON.parse(text) : undefined) as T;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return answer;
}

interface FlowAnswer {
  status: string;
  flow: { flow: string; step: string; skippable: boolean };
}

/** Signs up, signs in and verifies the email through the API; returns the step that follows. */
export async function verifiedThroughApi(server: TestServer, email: string): Promise<FlowAnswer> {
  await signUpThroughApi(server, email);
  const started = await post<FlowAnswer>(server, '/sign-in', { email, password: goodPassword });
  return post<FlowAnswer>(server, '/sign-in/verify-email', {
    flow: started.flow.flow,
    code: await server.latestCode(email),
  });
}

/** Seed 000's "active user": email verified, and the phone offer already skipped. */
export async function activeUserThroughApi(server: TestServer, email: string): Promise<void> {
  const next = await verifiedThroughApi(server, email);
  if (next.status === 'continue' && next.flow.skippable) {
    await post(server, '/sign-in/skip', { flow: next.flow.flow });
  }
}

/** A user with a verified email and a confirmed phone (the first login of seed 002). */
export async function userWithPhoneThroughApi(
  server: TestServer,
  email: string,
  phone: string,
): Promise<void> {
  const next = await verifiedThroughApi(server, email);
  if (next.status !== 'continue' || next.flow.step !== 'enrol_phone') {
    throw new Error(`expected the enrol_phone step, got ${JSON.stringify(next)}`);
  }
  await post(server, '/sign-in/phone', { flow: next.flow.flow, phone, channel: 'sms' });
  await post(server, '/sign-in/verify-code', {
    flow: next.flow.flow,
    code: await server.latestCode(phone),
  });
}

/** The code of the newest call to `to`: read out digit by digit ("1, 2, 3, 4, 5, 6"). */
export async function latestSpokenCode(server: TestServer, to: string): Promise<string> {
  const [latest] = await server.outbox(to);
  const spoken = latest?.channel === 'voice' ? latest.text.match(/\d(?:, \d)+/)?.[0] : undefined;
  if (!spoken) throw new Error(`No call with a code was made to ${to}`);
  return spoken.replace(/\D/g, '');
}

/** "Skip for Now" at the Two-Factor Authentication step, then close the notice it leads to. */
export async function skipPhone(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Skip for Now' }).click();
  await page.waitForURL('**/account');
  const notice = page.getByRole('dialog', { name: 'You can add a phone number later' });
  await notice.waitFor();
  await notice.getByRole('button', { name: 'OK' }).click();
  await notice.waitFor({ state: 'hidden' });
}

/** Enters a code in the field labelled `label` and clicks `button`. */
export async function enterCode(
  page: Page,
  label: string,
  button: string,
  code: string,
): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(code);
  await page.getByRole('button', { name: button, exact: true }).click();
}

// ---------------------------------------------------------------------------------------------
// The authenticator app and the recovery code (issue 4).

/** The code an authenticator app shows for `key` (as the page shows it) at `timestamp`. */
export function totpCode(key: string, timestamp: number): string {
  const secret = Secret.fromBase32(key.replace(/ /g, ''));
  return new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp });
}

/**
 * The next code of the app: the server's clock moves on one 30-second step first, since the
 * server accepts each step once (replay guard) and never a step ahead of its clock.
 */
export function nextTotpCode(server: TestServer, key: string): string {
  server.clock.advance(30_000);
  return totpCode(key, server.clock.now());
}

/**
 * A strong-mfa user whose first sign-in is done: email verified and the recovery code the policy
 * requires saved (through the API, so the code is never seen).
 */
export async function strongMfaUserThroughApi(server: TestServer, email: string): Promise<void> {
  const next = await verifiedThroughApi(server, email);
  if (next.status !== 'continue' || next.flow.step !== 'save_recovery_code') {
    throw new Error(`expected the save_recovery_code step, got ${JSON.stringify(next)}`);
  }
  await post(server, '/sign-in/recovery-code-saved', { flow: next.flow.flow });
}

/**
 * A strong-mfa user after the enforcement date whose first sign-in met the minimum with
 * "Password + phone number" (the phone confirmed by a text) and saved the recovery code.
 */
export async function strongMfaPhoneUserThroughApi(
  server: TestServer,
  email: string,
  phone: string,
): Promise<void> {
  const next = await verifiedThroughApi(server, email);
  const minimum = (next.flow as { minimum?: { ways: { factors: string[] }[] } }).minimum;
  const choice = minimum?.ways.findIndex((w) => w.factors.join() === 'password,phone') ?? -1;
  if (next.flow.step !== 'choose_mfa' || choice < 0) {
    throw new Error(`expected the choose_mfa step, got ${JSON.stringify(next)}`);
  }
  const flow = next.flow.flow;
  await post(server, '/sign-in/minimum', { flow, choice });
  await post(server, '/sign-in/phone', { flow, phone, channel: 'sms' });
  await post(server, '/sign-in/verify-code', { flow, code: await server.latestCode(phone) });
  await post(server, '/sign-in/recovery-code-saved', { flow });
}

/** Signs in with the password alone (nothing else owed) and returns the session cookie. */
async function signInThroughApi(server: TestServer, email: string): Promise<string> {
  const response = await fetch(`${server.url}/api/v1/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Portcullis-CSRF': '1', Origin: server.url },
    body: JSON.stringify({ email, password: goodPassword }),
  });
  const answer = (await response.json()) as { status?: string };
  if (answer.status !== 'signed_in') throw new Error(`sign-in answered ${JSON.stringify(answer)}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/**
 * Sets up an authenticator app for a signed-up user with nothing else owed at sign-in (a fresh
 * sign-in serves as the step-up while the account has no factor); returns the app's key. The
 * confirming code spends the current time step.
 */
export async function authenticatorThroughApi(server: TestServer, email: string): Promise<string> {
  const cookie = await signInThroughApi(server, email);
  const { enrolment } = await post<{ enrolment: { flow: string; key: string } }>(
    server,
    '/totp/start',
    undefined,
    cookie,
  );
  const code = totpCode(enrolment.key, server.clock.now());
  await post(server, '/totp/confirm', { flow: enrolment.flow, code }, cookie);
  return enrolment.key;
}
