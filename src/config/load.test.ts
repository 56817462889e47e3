import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'portcullis-config-'));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('configuration', () => {
  it('starts in development with no variables at all, generating and keeping a secret', () => {
    const dir = dataDir();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a.mode).toBe('development');
    expect(a.port).toBe(3000);
    expect(a.database).toEqual({ kind: 'sqlite', file: join(dir, 'portcullis.db') });
    expect(a.secretKey.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'secret-key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(a.secretKey);
    expect(loadConfig({ DATA_DIR: dir }).secretKey).toBe(a.secretKey);
  });

  it('names the variable at fault', () => {
    expect(problems({ PORT: '70000' })).toEqual(['PORT must be between 0 and 65535 (got 70000)']);
    expect(problems({ SESSION_IDLE_MINUTES: 'ten' })).toEqual([
      'SESSION_IDLE_MINUTES must be a whole number (got "ten")',
    ]);
    expect(problems({ PUBLIC_URL: 'localhost' })[0]).toMatch(/^PUBLIC_URL must be an absolute URL/);
    expect(problems({ PORTCULLIS_POLICY: 'lax' })[0]).toMatch(
      /^PORTCULLIS_POLICY: "lax" is neither a preset \(email-first, strong-mfa, sms-required\) nor a readable file/,
    );
    expect(problems({ SELF_SIGN_UP: 'maybe' })[0]).toMatch(/^SELF_SIGN_UP must be true or false/);
    expect(problems({ DATABASE_URL: 'mysql://x' })[0]).toMatch(
      /^DATABASE_URL must start with postgres:\/\/ or sqlite:/,
    );
    expect(problems({ SECRET_KEY: 'short' })[0]).toMatch(/^SECRET_KEY must be at least 32/);
  });

  it('takes a policy document that extends a preset, and stops on one that is not valid', () => {
    const dir = dataDir();
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({ extends: 'strong-mfa', name: 'North Clinic', stepUpWindowMs: 120000 }),
    );
    const config = loadConfig({ DATA_DIR: dir, PORTCULLIS_POLICY: file });
    expect(config.policy).toMatchObject({
      name: 'North Clinic',
      preset: 'strong-mfa',
      stepUpWindowMs: 120000,
      minimum: [['passkey'], ['totp', 'phone'], ['password', 'phone']],
    });
    writeFileSync(file, JSON.stringify({ extends: 'strong-mfa', codeLength: 3 }));
    expect(problems({ PORTCULLIS_POLICY: file })[0]).toMatch(/^PORTCULLIS_POLICY: \/codeLength: /);
  });

  it('refuses a code validity over ten minutes (S8)', () => {
    expect(problems({ EMAIL_CODE_VALIDITY_SECONDS: '601' })[0]).toMatch(
      /EMAIL_CODE_VALIDITY_SECONDS must be between 30 and 600/,
    );
  });

  it('requires secrets, https and SMTP in production', () => {
    const found = problems({ NODE_ENV: 'production', PUBLIC_URL: 'http://id.example.com' });
    expect(found.some((p) => p.startsWith('SECRET_KEY is required in production'))).toBe(true);
    expect(found).toContain('PUBLIC_URL must use https:// in production');
    expect(found.some((p) => p.startsWith('SMTP_URL is required in production'))).toBe(true);
  });

  it('asks for an SMS provider in production only when the policy can send texts or calls', () => {
    const production = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://id.example.com',
      SECRET_KEY: 'production-secret-key-of-more-than-32-characters',
      SMTP_URL: 'smtp://127.0.0.1:2525',
    };
    const dir = dataDir();
    const noPhone = join(dir, 'policy.json');
    writeFileSync(
      noPhone,
      JSON.stringify({
        extends: 'strong-mfa',
        name: 'App or passkey',
        factors: ['password', 'totp', 'passkey', 'recovery_code'],
        minimum: [['passkey'], ['totp']],
      }),
    );
    // No phone among the factors: nothing is ever texted or called, so no provider is needed.
    expect(problems({ ...production, PORTCULLIS_POLICY: noPhone })).toEqual([]);
    // Every preset lets users add a phone: the provider is needed, and the reason says why.
    for (const preset of ['email-first', 'strong-mfa', 'sms-required']) {
      expect(problems({ ...production, PORTCULLIS_POLICY: preset })).toEqual([
        `SMS_PROVIDER=twilio is required in production: the policy "${preset}" lets users add a phone (\`phone\` in its factors), whose codes go by text or call. Configure the provider, or a policy without \`phone\` (docs/operations.md).`,
      ]);
    }
    expect(
      problems({
        ...production,
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_FROM_NUMBER: '+15005550006',
      }),
    ).toEqual([]);
  });

  it('reads a PostgreSQL URL', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      DATABASE_URL: 'postgres://u@db:5432/p',
      DATABASE_POOL_SIZE: '4',
    });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/p', poolSize: 4 });
  });
});
