/** Passkey steps through the API, as the hosted pages take them, with a software authenticator. */
import type { LightMyRequestResponse } from 'fastify';
import type { Client } from './client.js';
import type { CeremonyTweaks, SoftwareAuthenticator, SoftwareCredential } from './webauthn.js';

/** The origin and RP ID of the test configuration (PUBLIC_URL's default). */
export const ORIGIN = 'http://localhost:3000';

/**
 * Adds a passkey to a signed-in client that may make changes now (a fresh step-up); returns the
 * saved passkey as the API shows it and the authenticator's credential.
 */
export async function addPasskey(
  c: Client,
  authenticator: SoftwareAuthenticator,
  name = 'Work laptop',
): Promise<{ passkey: { id: string; name: string }; credential: SoftwareCredential }> {
  const started = await c.post('/api/v1/passkeys/start');
  if (started.statusCode !== 200) throw new Error(`passkey start failed: ${started.body}`);
  const { flow, options } = started.json().registration;
  const { credential, response } = authenticator.create(options);
  const finished = await c.post('/api/v1/passkeys/finish', { flow, name, credential: response });
  if (finished.statusCode !== 200) throw new Error(`passkey finish failed: ${finished.body}`);
  return { passkey: finished.json().passkey, credential };
}

/** "Sign in with a passkey": a ceremony, the authenticator's answer, the sign-in result. */
export async function passkeySignIn(
  c: Client,
  authenticator: SoftwareAuthenticator,
  tweaks: CeremonyTweaks & { credential?: SoftwareCredential } = {},
): Promise<LightMyRequestResponse> {
  const options = await c.post('/api/v1/sign-in/passkey/options');
  if (options.statusCode !== 200) throw new Error(`passkey options failed: ${options.body}`);
  const { flow, options: request } = options.json();
  return c.post('/api/v1/sign-in/passkey', {
    flow,
    credential: authenticator.get(request, tweaks),
  });
}

/** Step-up with a passkey (the account's first method once it has one). */
export async function stepUpWithPasskey(
  c: Client,
  authenticator: SoftwareAuthenticator,
  tweaks: CeremonyTweaks = {},
): Promise<LightMyRequestResponse> {
  const started = await c.post('/api/v1/step-up/start', { channel: 'passkey' });
  if (started.statusCode !== 200) throw new Error(`step-up start failed: ${started.body}`);
  const { flow, passkey } = started.json().flow;
  return c.post('/api/v1/step-up/verify-passkey', {
    flow,
    credential: authenticator.get(passkey.options, tweaks),
  });
}

export const methods = (res: LightMyRequestResponse) =>
  (res.json().session.amr as { method: string }[]).map((m) => m.method);
