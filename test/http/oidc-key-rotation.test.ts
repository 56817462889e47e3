/**
 * Signing keys rotate under a running server, with no restart (issue 14): `keys rotate` (here its
 * function, as the CLI runs it, from outside the server's provider) publishes a new key at once;
 * the server serves it within KEY_CHECK_MS, signs with it only after the lead time, and keeps the
 * old key published so a token signed before the rotation still verifies.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CHECK_MS } from '../../src/http/oidc.js';
import { signingKeysOf } from '../../src/oidc/provider.js';
import { signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient } from '../helpers/oidc-rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://portal.example/callback';
const HOUR = 3_600_000;
let server: TestServer;
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await registeredClient(server.app, server.url, {
    redirectUris: [REDIRECT],
    firstParty: true,
  });
});
afterAll(() => server?.close());

/** The relying party (tokens carry the provider's own times, not the server's fake clock). */
const relyingParty = () =>
  oidc.discovery(new URL(server.url), client.clientId, client.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });

async function idToken(email: string): Promise<string> {
  const config = await relyingParty();
  const user = await signedInClient(server.app, email);
  const asked = await authorize(server.url, config, REDIRECT, new Jar(user.cookie));
  const tokens = await oidc.authorizationCodeGrant(config, asked.landed, {
    pkceCodeVerifier: asked.verifier,
    expectedState: asked.state,
    expectedNonce: asked.nonce,
  });
  return tokens.id_token!;
}

const published = async () =>
  ((await (await fetch(`${server.url}/oidc/jwks`)).json()) as JSONWebKeySet).keys.map((k) => k.kid);

const verifies = async (token: string) => {
  const keys = (await (await fetch(`${server.url}/oidc/jwks`)).json()) as JSONWebKeySet;
  await jwtVerify(token, createLocalJWKSet(keys), {
    issuer: server.url,
    audience: client.clientId,
  });
};

describe('a key rotation reaches a running server', () => {
  it('publishes the new key, signs with it after the lead time, and keeps the old one verifying', async () => {
    const before = await idToken('kim@clinic.org');
    const oldKid = decodeProtectedHeader(before).kid!;

    const services = server.app.services;
    const added = await signingKeysOf({
      db: services.store.db,
      box: services.box,
      clock: services.clock,
    }).rotate();
    const newKid = added.find((k) => k.alg === 'ES256')!.kid;

    server.clock.advance(KEY_CHECK_MS);
    expect(await published()).toEqual(expect.arrayContaining([oldKid, newKid]));
    // Published, not signing yet: relying parties fetch it first.
    expect(decodeProtectedHeader(await idToken('lee@clinic.org')).kid).toBe(oldKid);

    server.clock.advance(HOUR);
    const after = await idToken('max@clinic.org');
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    await verifies(after);
    await verifies(before); // signed before the rotation, still within its lifetime
  });
});
