/**
 * The OpenID Connect provider's two calls a busy portal makes most, over a real socket with
 * `openid-client` as the relying party (issue 14): the authorization-code exchange at the token
 * endpoint (codes prepared first, each redeemed once: only the exchange is timed) and token
 * introspection by a resource server. SQLite in memory, one signed-in user.
 */
import * as oidc from 'openid-client';
import { signedInClient } from '../test/helpers/client.js';
import { authorize, Jar, registeredClient } from '../test/helpers/oidc-rp.js';
import { startTestServer } from '../test/helpers/server.js';

type Measure = (name: string, iterations: number, fn: () => Promise<unknown>) => Promise<void>;

const REDIRECT = 'https://portal.example/callback';

export async function benchOidc(measure: Measure, exchanges = 300): Promise<void> {
  const server = await startTestServer();
  try {
    const { config } = await registeredClient(server.app, server.url, {
      redirectUris: [REDIRECT],
      firstParty: true,
    });
    const user = await signedInClient(server.app, 'oidc-bench@clinic.org');
    const jar = new Jar(user.cookie);
    // Codes ready to redeem (each authorization walks the provider and the interaction once).
    const ready: Awaited<ReturnType<typeof authorize>>[] = [];
    for (let i = 0; i < exchanges + 50; i++)
      ready.push(await authorize(server.url, config, REDIRECT, jar));
    let next = 0;
    let accessToken = '';
    await measure('OIDC code exchange (POST /oidc/token)', exchanges, async () => {
      const asked = ready[next++]!;
      const tokens = await oidc.authorizationCodeGrant(config, asked.landed, {
        pkceCodeVerifier: asked.verifier,
        expectedState: asked.state,
        expectedNonce: asked.nonce,
      });
      accessToken = tokens.access_token;
    });
    await measure('OIDC introspection (POST /oidc/token/introspection)', 1000, () =>
      oidc.tokenIntrospection(config, accessToken),
    );
  } finally {
    await server.close();
  }
}
