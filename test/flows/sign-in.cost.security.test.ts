/**
 * S6, by structure rather than by stopwatch: a sign-in for an unknown email runs exactly one
 * argon2id verification with the same parameters as a real account's, so it costs the same.
 * (Timings belong to `npm run bench`, which reports both paths.)
 */
import type * as argon2 from '@node-rs/argon2';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, signedInClient } from '../helpers/client.js';
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

beforeEach(async () => {
  app = await build({ config: testConfig(), clock: new FakeClock() });
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
