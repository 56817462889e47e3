/**
 * Registering OpenID Connect clients (issue 14), through the admin API, and what the provider
 * then makes of them over a real socket: a confidential client's secret is shown once and stored
 * only as a keyed hash, yet authenticates at the token endpoint (a wrong one does not); a public
 * client authenticates with no secret; redirect URIs must be exact https (or loopback http)
 * without a fragment; a removed client authenticates no more. Each change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await startTestServer();
  admin = await adminAtAal2(server.app, 'root@clinic.org');
});
afterAll(() => server?.close());

const register = (body: unknown) => admin.c.post('/api/v1/admin/oidc/clients', body);

/** The token endpoint, redeeming a code that was never issued. */
function redeem(clientId: string, secret?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (secret !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: 'never-issued',
    redirect_uri: 'https://claims.example/callback',
    code_verifier: 'x'.repeat(43),
    ...(secret === undefined ? { client_id: clientId } : {}),
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

  it('takes http on a loopback address, for a native app (RFC 8252)', async () => {
    const res = await register({
      name: 'Desk app',
      kind: 'public',
      redirectUris: ['http://127.0.0.1:8765/callback'],
    });
    expect(res.statusCode).toBe(201);
  });
});
