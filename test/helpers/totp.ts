/** Test-side authenticator app: computes codes from the key shown at enrolment (RFC 6238). */
import { Secret, TOTP } from 'otpauth';
import type { FakeClock } from '../../src/clock.js';
import { latestCode, type Client } from './client.js';

/** The code an app holding `key` shows at `now` (or `steps` periods away from it). */
export function appCode(key: string, now: number, steps = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(key.replace(/ /g, '')),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: now + steps * 30_000,
  });
}

/** Step-up with a code sent to the account's email (policies that allow it). */
export async function stepUpByEmail(c: Client, email: string): Promise<void> {
  const started = await c.post('/api/v1/step-up/start', { channel: 'email' });
  if (started.statusCode !== 200) throw new Error(`step-up start failed: ${started.body}`);
  const done = await c.post('/api/v1/step-up/verify', {
    flow: started.json().flow.flow,
    code: await latestCode(c.app, email),
  });
  if (done.statusCode !== 200) throw new Error(`step-up failed: ${done.body}`);
}

/**
 * Adds an authenticator app to a signed-in client that may make changes now (fresh step-up),
 * confirming with the current code; returns the key. The clock then moves to the next step, so
 * the confirming code's step is behind (it cannot be replayed, and the next code is fresh).
 */
export async function enrolTotp(c: Client, clock: FakeClock): Promise<string> {
  const started = await c.post('/api/v1/totp/start');
  if (started.statusCode !== 200) throw new Error(`totp start failed: ${started.body}`);
  const { flow, key } = started.json().enrolment as { flow: string; key: string };
  const confirmed = await c.post('/api/v1/totp/confirm', { flow, code: appCode(key, clock.now()) });
  if (confirmed.statusCode !== 200) throw new Error(`totp confirm failed: ${confirmed.body}`);
  clock.advance(30_000);
  return key;
}
