import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/load.js';

/**
 * A valid test configuration: in-memory SQLite, quiet logs, a fixed secret, undeclared error
 * codes refused (`strictErrors`), and per-IP limits out of the way (every test request comes from
 * one address; test/http/rate-limit.security.test.ts sets its own). In the `postgres` project
 * (`TEST_DIALECT=postgres`), the database is a fresh PostgreSQL schema instead, made by the first
 * migration and dropped when the run ends.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const config = { ...baseConfig(env), strictErrors: true };
  const url = process.env.TEST_DATABASE_URL;
  if (process.env.TEST_DIALECT !== 'postgres' || env.DATABASE_URL || !url) return config;
  const schema = `${process.env.TEST_SCHEMA_PREFIX ?? 't_app_'}${randomBytes(5).toString('hex')}`;
  return { ...config, database: { kind: 'postgres', url, poolSize: 4, schema } };
}

function baseConfig(env: Record<string, string>): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'portcullis-test-')),
    DATABASE_URL: 'sqlite::memory:',
    SECRET_KEY: 'test-secret-key-test-secret-key-test-secret-key',
    LOG_LEVEL: 'silent',
    PORTAL_NAME: 'Spectera Provider Portal',
    RATE_LIMIT_SIGN_IN_PER_MINUTE: '100000',
    RATE_LIMIT_SIGN_UP_PER_HOUR: '100000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    RATE_LIMIT_TOKEN_PER_MINUTE: '100000',
    // Back-channel logout tests' relying parties listen on 127.0.0.1.
    OIDC_BACKCHANNEL_PRIVATE_NETWORKS: 'true',
    ...env,
  });
}

/** The least a production start needs (nothing here is contacted while building the app). */
export const productionEnv: Record<string, string> = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://id.portal.example',
  SECRET_KEY: 'production-secret-key-of-more-than-32-characters',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'test-auth-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
};

/**
 * A moment in February 2025, when seed 001's letter went out: the strong-mfa minimum is a
 * reminder with "Skip for Now" until 7 March 2025. Stories about other features start their
 * clock here (`new FakeClock(SEED_001_REMINDER)`); the enforcement itself is tested at and after
 * the date.
 */
export const SEED_001_REMINDER = Date.UTC(2025, 1, 14, 12, 0, 0);

/** A policy document written to a file, for PORTCULLIS_POLICY. */
export function policyFile(document: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'portcullis-policy-')), 'policy.json');
  writeFileSync(path, JSON.stringify(document));
  return path;
}

/**
 * strong-mfa with its minimum never asked: for browser stories about other features (the app, the
 * recovery code, passkeys) whose server runs on today's clock, after seed 001's date. The minimum
 * and its date are walked in seed-001.browser.test.ts and sign-in-minimum.test.ts.
 */
export const strongMfaWithoutMinimum = () =>
  policyFile({
    extends: 'strong-mfa',
    name: 'strong-mfa (no minimum asked)',
    enforcement: { date: null, before: 'none', after: 'none' },
  });
