/**
 * Production starts with what it needs, and only that (issue 11, item 8): a deployment whose
 * policy has no phone among its factors never sends a text or a call, so it runs without an SMS
 * provider. An administrator may change the policy while it runs; a policy that would need texts
 * where no provider is configured is refused (`400 POLICY_INVALID`, naming `factors`), since its
 * users could add a phone that no code could ever reach. In development the outbox takes texts.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { adminAtAal2 } from '../helpers/admin.js';
import { policyFile, productionEnv, testConfig } from '../helpers/config.js';

let app: FastifyInstance;
afterEach(() => app?.close());

const noPhone = {
  extends: 'strong-mfa',
  name: 'App or passkey',
  factors: ['password', 'totp', 'passkey', 'recovery_code'],
  minimum: [['passkey'], ['totp']],
};

/** Production with SMTP but no SMS provider (none of the TWILIO_* or SMS_PROVIDER variables). */
async function productionWithoutTexts() {
  const env = Object.fromEntries(
    Object.entries(productionEnv).filter(([k]) => !k.startsWith('TWILIO_') && k !== 'SMS_PROVIDER'),
  );
  const config = loadConfig({
    ...env,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'portcullis-prod-')),
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    PORTCULLIS_POLICY: policyFile(noPhone),
  });
  app = await build({ config, clock: new FakeClock(Date.UTC(2026, 2, 2)) });
}

describe('a production deployment without an SMS provider', () => {
  it('starts on a policy without phones, and offers no phone to add', async () => {
    await productionWithoutTexts();
    expect(app.services.config.sms.provider).toBe('dev-outbox');
    const admin = await adminAtAal2(app, 'root@example-portal.com');
    expect((await admin.c.get('/api/v1/admin/policy')).json().policy.factors).not.toContain(
      'phone',
    );
    const phone = await admin.c.post('/api/v1/phone/start', {
      phone: '+14155552671',
      channel: 'sms',
    });
    expect(phone.json().error.code).toBe('FACTOR_NOT_ALLOWED');
  });

  it('refuses an administrator’s policy that would let users add a phone, and keeps the old one', async () => {
    await productionWithoutTexts();
    const admin = await adminAtAal2(app, 'root@example-portal.com');
    for (const document of [
      { extends: 'email-first' },
      { ...noPhone, factors: ['password', 'phone'] },
    ]) {
      const refused = await admin.c.put('/api/v1/admin/policy', document);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({
        code: 'POLICY_INVALID',
        details: { field: 'factors' },
      });
      expect(refused.json().error.message).toContain('no SMS provider is configured');
    }
    const now = (await admin.c.get('/api/v1/admin/policy')).json();
    expect(now).toMatchObject({ source: 'configuration', policy: { name: 'App or passkey' } });
    // A policy that still sends nothing is taken.
    const changed = await admin.c.put('/api/v1/admin/policy', { ...noPhone, name: 'Passkeys' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ source: 'administrator', policy: { name: 'Passkeys' } });
  });
});

describe('in development', () => {
  it('takes any policy: the development outbox receives the texts', async () => {
    app = await build({ config: testConfig({ PORTCULLIS_POLICY: policyFile(noPhone) }) });
    const admin = await adminAtAal2(app, 'root@example-portal.com');
    expect((await admin.c.put('/api/v1/admin/policy', { extends: 'email-first' })).statusCode).toBe(
      200,
    );
  });
});
