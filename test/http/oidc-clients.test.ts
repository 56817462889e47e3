/**
 * Registering OpenID Connect clients (issue 14), through the admin API, and what the provider
 * then makes of them over a real socket: a confidential client's secret is shown once and stored
 * only as a keyed hash, yet authenticates at the token endpoint (a wrong one does not); a public
 * client authenticates with no secret; redirect URIs must be exact https (or loopback http)
 * without a fragment; a removed client authenticates no more. A client may instead authenticate
 * with its own key (`private_key_jwt`: only its public keys are registered) and have its ID tokens
 * signed RS256. Each change is audited.
 */
import { randomUUID } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
} from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient } from '../helpers/oidc-rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await startTestServer();
  admin = await adminAtAal2(server.app, 'root@clinic.org');
});
afterAll(() => server?.close());

const register = (body: unknown) => admin.c.post('/api/v1/admin/oidc/clients', body);

/** The token endpoint, redeeming a code that was never issued (with a secret, or an assertion). */
function redeem(clientId: string, secret?: string, assertion?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (secret !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: 'never-issued',
    redirect_uri: 'https://claims.example/callback',
    code_verifier: 'x'.repeat(43),
    ...(secret === undefined ? { client_id: clientId } : {}),
    ...(assertion === undefined
      ? {}
      : {
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
  });
  return fetch(`${server.url}/oidc/token`, { method: 'POST', headers, body }).then(
    async (res) => ((await res.json()) as { error: string }).error,
  );
}

describe('OpenID Connect clients', () => {
  it('a confidential client: its secret shown once, kept as a hash, and it authenticates', async () => {
    const res = await register({
      name: 'Claims app',
      kind: 'confidential',
      redirectUris: ['https://claims.example/callback'],
      scopes: ['openid', 'email', 'organisation'],
      minAcr: 'urn:portcullis:aal2',
    });
    expect(res.statusCode).toBe(201);
    const { client, clientSecret } = res.json();
    expect(clientSecret).toEqual(expect.any(String));
    expect(client).toMatchObject({ kind: 'confidential', minAcr: 'urn:portcullis:aal2' });
    const row = await server.app.services.store.db
      .selectFrom('oidc_clients')
      .selectAll()
      .where('client_id', '=', client.clientId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(clientSecret);
    const listed = await admin.c.get('/api/v1/admin/oidc/clients');
    expect(listed.body).not.toContain(clientSecret);

    expect(await redeem(client.clientId, 'not-the-secret')).toBe('invalid_client');
    // The right secret authenticates: the code is what is wrong now.
    expect(await redeem(client.clientId, clientSecret)).toBe('invalid_grant');

    const removed = await admin.c.delete(`/api/v1/admin/oidc/clients/${client.clientId}`);
    expect(removed.statusCode).toBe(204);
    expect(await redeem(client.clientId, clientSecret)).toBe('invalid_client');
    const actions = await server.app.services.store.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'oidc.%')
      .execute();
    expect(actions.map((a) => a.action).sort()).toEqual([
      'oidc.client_registered',
      'oidc.client_removed',
    ]);
  });

  it('a public client authenticates with no secret (PKCE is what protects its codes)', async () => {
    const res = await register({
      name: 'Eligibility SPA',
      kind: 'public',
      redirectUris: ['https://claims.example/callback'],
    });
    expect(res.json().clientSecret).toBeNull();
    expect(await redeem(res.json().client.clientId)).toBe('invalid_grant');
  });

  it.each([
    ['http on a public host', 'http://claims.example/callback'],
    ['a fragment', 'https://claims.example/callback#x'],
    ['a relative path', '/callback'],
  ])('refuses a redirect URI with %s', async (_what, uri) => {
    const res = await register({ name: 'Bad', kind: 'public', redirectUris: [uri] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'OIDC_CLIENT_INVALID',
      details: { field: 'redirectUris' },
    });
  });

  it('a client with its own key (private_key_jwt): no secret, and only its key authenticates', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const withPrivatePart = await exportJWK(privateKey);
    const refused = await register({
      name: 'Billing API',
      kind: 'confidential',
      authMethod: 'private_key_jwt',
      redirectUris: ['https://claims.example/callback'],
      jwks: { keys: [withPrivatePart] },
    });
    expect(refused.json().error).toMatchObject({
      code: 'OIDC_CLIENT_INVALID',
      details: { field: 'jwks' },
    });

    const res = await register({
      name: 'Billing API',
      kind: 'confidential',
      authMethod: 'private_key_jwt',
      redirectUris: ['https://claims.example/callback'],
      jwks: { keys: [{ ...jwk, kid: 'billing-1' }] },
    });
    expect(res.statusCode).toBe(201);
    const { client, clientSecret } = res.json();
    expect(clientSecret).toBeNull();
    expect(client).toMatchObject({ authMethod: 'private_key_jwt' });
    const assertion = (key: CryptoKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'billing-1' })
        .setIssuer(client.clientId)
        .setSubject(client.clientId)
        .setAudience(`${new URL(server.url).origin}/oidc/token`)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key);
    // Its key authenticates (the code is what is wrong); another key, or no assertion, does not.
    expect(await redeem(client.clientId, undefined, await assertion(privateKey))).toBe(
      'invalid_grant',
    );
    const other = await generateKeyPair('ES256');
    expect(await redeem(client.clientId, undefined, await assertion(other.privateKey))).toBe(
      'invalid_client',
    );
    expect(await redeem(client.clientId)).toBe('invalid_client');
  });

  it('signs a client’s ID tokens RS256 when it asks for it, ES256 otherwise', async () => {
    const redirect = 'https://claims.example/callback';
    const keys = createRemoteJWKSet(new URL('/oidc/jwks', server.url));
    for (const alg of ['ES256', 'RS256'] as const) {
      const rp = await registeredClient(server.app, server.url, {
        redirectUris: [redirect],
        firstParty: true,
        ...(alg === 'RS256' ? { idTokenAlg: 'RS256' } : {}),
      });
      const user = await signedInClient(server.app, `rs-${alg.toLowerCase()}@clinic.org`);
      const { landed, verifier, state, nonce } = await authorize(
        server.url,
        rp.config,
        redirect,
        new Jar(user.cookie),
      );
      const tokens = await oidc.authorizationCodeGrant(rp.config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });

      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(alg);
      await jwtVerify(tokens.id_token!, keys, { audience: rp.clientId, algorithms: [alg] });
    }
  });

  it('takes http on a loopback address, for a native app (RFC 8252)', async () => {
    const res = await register({
      name: 'Desk app',
      kind: 'public',
      redirectUris: ['http://127.0.0.1:8765/callback'],
    });
    expect(res.statusCode).toBe(201);
  });
});
