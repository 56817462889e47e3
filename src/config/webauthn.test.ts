import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

const load = (env: Record<string, string>) =>
  loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'portcullis-webauthn-')), ...env });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('the passkeys relying party (S15)', () => {
  it('takes the RP ID and the one expected origin from PUBLIC_URL by default', () => {
    const c = load({ PUBLIC_URL: 'https://id.portal.example/', PORTAL_NAME: 'Spectera' });
    expect(c.webauthn).toEqual({
      id: 'id.portal.example',
      name: 'Spectera',
      origins: ['https://id.portal.example'],
      timeoutMs: 300_000,
    });
  });

  it('accepts a parent domain as RP ID, and several exact origins below it', () => {
    const c = load({
      PUBLIC_URL: 'https://id.portal.example',
      WEBAUTHN_RP_ID: 'portal.example',
      WEBAUTHN_ORIGINS: 'https://id.portal.example, https://portal.example:8443',
      WEBAUTHN_TIMEOUT_SECONDS: '120',
    });
    expect(c.webauthn).toMatchObject({
      id: 'portal.example',
      origins: ['https://id.portal.example', 'https://portal.example:8443'],
      timeoutMs: 120_000,
    });
  });

  it('names what is wrong: an origin outside the RP ID, a path, plain http, an address', () => {
    expect(problems({ WEBAUTHN_RP_ID: 'other.example' })[0]).toMatch(
      /WEBAUTHN_RP_ID "other.example" must be the host of every passkey origin/,
    );
    expect(problems({ WEBAUTHN_ORIGINS: 'https://localhost/sign-in' })[0]).toMatch(
      /WEBAUTHN_ORIGINS must list bare origins/,
    );
    expect(
      problems({ PUBLIC_URL: 'http://id.example', WEBAUTHN_ORIGINS: 'http://id.example' })[0],
    ).toMatch(/WEBAUTHN_ORIGINS must use https:\/\//);
    expect(problems({ WEBAUTHN_RP_ID: '10.0.0.1' })[0]).toMatch(
      /WEBAUTHN_RP_ID must be a domain name/,
    );
    expect(problems({ WEBAUTHN_TIMEOUT_SECONDS: '601' })[0]).toMatch(
      /WEBAUTHN_TIMEOUT_SECONDS must be between 30 and 600/,
    );
    // Plain http is fine on localhost (development, the browser tests).
    expect(problems({ WEBAUTHN_ORIGINS: 'http://localhost:3000' })).toEqual([]);
  });
});
