/**
 * S6, by structure rather than by stopwatch: a sign-in for an unknown email runs exactly one
 * argon2id verification with the same parameters as a real account's, so it costs the same.
 * (Timings belong to `npm run bench`, which reports both paths.)
 */
import type * as argon2 from '@node-rs/argon2';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, latestCode, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';

const verified: string[] = [];

vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof argon2>();
  return {
    ...real,
    verify: (stored: string, password: string) => {
      // Keep the parameter part of the PHC string ($argon2id$v=19$m=…,t=…,p=…), not the salt.
      verified.push(stored.split('$').slice(0, 4).join('$'));
      return real.verify(stored, password);
    },
  };
});

let app: FastifyInstance;
let env: Record<string, string> = {};

beforeEach(async () => {
  app = await build({ config: testConfig(env), clock: new FakeClock() });
});
afterEach(() => app.close());

describe('S6: an unknown email costs one password hash, like a wrong password', () => {
  it('verifies against a hash with the real parameters exactly once per attempt', async () => {
    await signedInClient(app, 'gus@clinic.org');

    verified.length = 0;
    await new Client(app).post('/api/v1/sign-in', {
      email: 'gus@clinic.org',
      password: 'wrong password here',
    });
    const known = [...verified];

    verified.length = 0;
    await new Client(app).post('/api/v1/sign-in', {
      email: 'nobody@clinic.org',
      password: 'wrong password here',
    });
    const unknown = [...verified];

    expect(known).toHaveLength(1);
    expect(known[0]).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(unknown).toEqual(known);
  });
});

describe('S6: a recovery code typed to reset an unknown address costs what a real check costs', () => {
  beforeAll(() => {
    env = { PORTCULLIS_POLICY: 'strong-mfa' };
  });
  afterAll(() => {
    env = {};
  });

  async function typeRecoveryCode(email: string) {
    const c = new Client(app);
    const flow = (await c.post('/api/v1/password-reset', { email, method: 'recovery_code' })).json()
      .flow.flow;
    verified.length = 0;
    const res = await c.post('/api/v1/password-reset/recovery-code', {
      flow,
      code: '1234 5678 9012 3456',
    });
    expect(res.json().error.code).toBe('RECOVERY_CODE_INVALID');
    return [...verified];
  }

  it('verifies once, with the same parameters, whether or not the address has an account or a code', async () => {
    // An account with a saved recovery code (strong-mfa asks for one at the first sign-in).
    const c = new Client(app);
    await c.post('/api/v1/sign-up', { email: 'hal@clinic.org', password: PASSWORD });
    const flow = (
      await c.post('/api/v1/sign-in', { email: 'hal@clinic.org', password: PASSWORD })
    ).json().flow.flow;
    await c.post('/api/v1/sign-in/verify-email', {
      flow,
      code: await latestCode(app, 'hal@clinic.org'),
    });
    await c.post('/api/v1/sign-in/recovery-code-saved', { flow });
    // And one that never got as far as a code.
    await c.post('/api/v1/sign-up', { email: 'ivy@clinic.org', password: PASSWORD });

    const withCode = await typeRecoveryCode('hal@clinic.org');
    const withoutCode = await typeRecoveryCode('ivy@clinic.org');
    const unknown = await typeRecoveryCode('nobody@clinic.org');
    expect(withCode).toHaveLength(1);
    expect(withCode[0]).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(withoutCode).toEqual(withCode);
    expect(unknown).toEqual(withCode);
  });
});
