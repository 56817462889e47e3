/**
 * Launches the system's Chromium (Debian's `chromium` package) through playwright-core; no
 * browser is ever downloaded. Without Chromium the browser suites skip locally and fail in CI.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startTestServer, type TestServer } from './server.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const builtPage = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

/**
 * Whether the browser suites can run here. Throws in CI (`CI` set) when Chromium is missing, so a
 * misconfigured runner fails loudly instead of passing with nothing tested.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message =
    `Chromium was not found at ${chromiumPath}. Install it with \`apt-get install -y chromium\` ` +
    '(or point CHROMIUM_PATH at a Chromium binary).';
  if (process.env.CI) throw new Error(message);
  console.warn(`Skipping browser tests: ${message}`);
  return false;
}

/** The hosted pages are served from web/dist; say how to build them rather than time out. */
export function assertPagesBuilt(): void {
  if (!existsSync(builtPage)) {
    throw new Error('web/dist/index.html is missing: run `npm run build:web` before these tests.');
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects what should never happen on a page: uncaught script errors and Content Security
 * Policy violations (an inline script or style slipping into the build). Check it after a test.
 */
export function watchForPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP violation: ${message.text()}`);
    }
  });
  return problems;
}

export interface BrowserSession {
  /** The file's Chromium, for a second device (`browser.newContext()`). */
  readonly browser: Browser;
  readonly server: TestServer;
  readonly context: BrowserContext;
  readonly page: Page;
}

/**
 * The set-up every browser suite shares: one Chromium for the file; per test a fresh server
 * (with `env`), a fresh browser context and page, and a check that the page raised no script
 * error or CSP violation. Read the fields inside tests (they change per test). `host: 'localhost'`
 * serves the pages at http://localhost (passkeys need a domain, not an IP address).
 */
export function useBrowserSession(
  env?: Record<string, string>,
  options: { host?: 'localhost' } = {},
): BrowserSession {
  const session = {} as {
    browser: Browser;
    server: TestServer;
    context: BrowserContext;
    page: Page;
    problems: string[];
  };
  beforeAll(async () => {
    assertPagesBuilt();
    session.browser = await launchBrowser();
  });
  afterAll(async () => {
    await session.browser?.close();
  });
  beforeEach(async () => {
    session.server = await startTestServer({ ...(env ? { env } : {}), ...options });
    session.context = await session.browser.newContext();
    // A loaded CI machine (two cores, every suite at once) is given longer before a wait fails.
    session.context.setDefaultTimeout(process.env.CI ? 20_000 : 10_000);
    session.page = await session.context.newPage();
    session.problems = watchForPageProblems(session.page);
  });
  afterEach(async () => {
    await session.context?.close();
    await session.server?.close();
    expect(session.problems).toEqual([]);
  });
  return session;
}

/**
 * Chromium's virtual authenticator on a page, through the DevTools protocol: a platform
 * authenticator (ctap2, internal) with resident keys and user verification that answers at once.
 * Pages must be served at http://localhost (WebAuthn refuses IP addresses).
 */
export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async attach(
    page: Page,
    options: { backupEligibility?: boolean; backupState?: boolean } = {},
  ): Promise<VirtualAuthenticator> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
        ...(options.backupEligibility !== undefined
          ? { defaultBackupEligibility: options.backupEligibility }
          : {}),
        ...(options.backupState !== undefined ? { defaultBackupState: options.backupState } : {}),
      },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  /** Whether the device can verify the user (fingerprint, face, PIN); without it, no passkey. */
  userVerified(isUserVerified: boolean) {
    return this.cdp.send('WebAuthn.setUserVerified', { authenticatorId: this.id, isUserVerified });
  }

  /** Makes the authenticator report UV=0 in its answer even though it was asked for UV. */
  badUserVerificationBit(isBadUV: boolean) {
    return this.cdp.send('WebAuthn.setResponseOverrideBits', {
      authenticatorId: this.id,
      isBadUV,
    });
  }

  async credentials() {
    const { credentials } = await this.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: this.id,
    });
    return credentials;
  }
}

/** Plays a browser without passkey autofill (conditional mediation): the button is the way in. */
export async function withoutPasskeyAutofill(page: Page): Promise<void> {
  await page.addInitScript(
    'PublicKeyCredential.isConditionalMediationAvailable = async () => false;',
  );
}
