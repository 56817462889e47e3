/**
 * `npm run cli -- client add`: registers an OpenID Connect client as the admin API does — its
 * kind, exact redirect URIs, post-logout redirect URIs, back-channel logout URI, scopes, minimum
 * acr, whether it is the deployment's own, how it authenticates (its secret, or its own key:
 * `private_key_jwt` with its public JWKS from a file) and how its ID tokens are signed — and
 * prints its id (and a client secret, shown this once).
 */
import { readFile } from 'node:fs/promises';
import { ACR_VALUES, ID_TOKEN_ALGS, type Acr, type IdTokenAlg } from '../oidc/clients.js';
import type { Services } from '../services.js';

export const clientAddOptions = {
  name: { type: 'string' },
  kind: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  scope: { type: 'string', multiple: true },
  'min-acr': { type: 'string' },
  'first-party': { type: 'boolean' },
  'auth-method': { type: 'string' },
  'jwks-file': { type: 'string' },
  'id-token-alg': { type: 'string' },
} as const;

export const clientAddUsage = `  client add --name <name> --kind confidential|public --redirect-uri <uri> [--redirect-uri …]
             [--post-logout-redirect-uri <uri> …] [--backchannel-logout-uri <uri>]
             [--scope openid --scope email …] [--min-acr urn:portcullis:aal2] [--first-party]
             [--auth-method private_key_jwt --jwks-file <its public JWKS>] [--id-token-alg RS256]
                                                 Register an OpenID Connect client; prints its id (and a
                                                 confidential client's secret, shown this once).`;

export interface ClientAddValues {
  name?: string;
  kind?: string;
  'redirect-uri'?: string[];
  'post-logout-redirect-uri'?: string[];
  'backchannel-logout-uri'?: string;
  scope?: string[];
  'min-acr'?: string;
  'first-party'?: boolean;
  'auth-method'?: string;
  'jwks-file'?: string;
  'id-token-alg'?: string;
}

export async function addClient(services: Services, v: ClientAddValues): Promise<number> {
  if (!v.name || (v.kind !== 'confidential' && v.kind !== 'public') || !v['redirect-uri']) {
    console.error(
      'client add needs --name, --kind confidential|public and at least one --redirect-uri.',
    );
    return 64;
  }
  const minAcr = v['min-acr'];
  if (minAcr !== undefined && !(ACR_VALUES as readonly string[]).includes(minAcr)) {
    console.error(`--min-acr must be one of ${ACR_VALUES.join(', ')}.`);
    return 64;
  }
  const authMethod = v['auth-method'];
  if (
    authMethod !== undefined &&
    authMethod !== 'client_secret_basic' &&
    authMethod !== 'private_key_jwt'
  ) {
    console.error('--auth-method must be client_secret_basic or private_key_jwt.');
    return 64;
  }
  const alg = v['id-token-alg'];
  if (alg !== undefined && !(ID_TOKEN_ALGS as readonly string[]).includes(alg)) {
    console.error(`--id-token-alg must be one of ${ID_TOKEN_ALGS.join(', ')}.`);
    return 64;
  }
  let jwks: unknown;
  if (v['jwks-file'] !== undefined) {
    try {
      jwks = JSON.parse(await readFile(v['jwks-file'], 'utf8'));
    } catch {
      console.error(`${v['jwks-file']} is not a readable JSON file (a JWKS: { "keys": [ … ] }).`);
      return 64;
    }
  }
  const { client, clientSecret } = await services.oidcClients.register(
    {
      name: v.name,
      kind: v.kind,
      redirectUris: v['redirect-uri'],
      ...(v['post-logout-redirect-uri']
        ? { postLogoutRedirectUris: v['post-logout-redirect-uri'] }
        : {}),
      ...(v['backchannel-logout-uri'] ? { backchannelLogoutUri: v['backchannel-logout-uri'] } : {}),
      ...(v.scope ? { scopes: v.scope } : {}),
      ...(minAcr ? { minAcr: minAcr as Acr } : {}),
      firstParty: v['first-party'] ?? false,
      ...(authMethod ? { authMethod } : {}),
      ...(jwks === undefined ? {} : { jwks }),
      ...(alg ? { idTokenAlg: alg as IdTokenAlg } : {}),
    },
    null,
    { ip: null, userAgent: 'cli' },
  );
  console.log(`Registered "${client.name}" (${client.kind}).`);
  console.log(`client_id:     ${client.clientId}`);
  if (clientSecret) console.log(`client_secret: ${clientSecret}   (shown this once: keep it now)`);
  return 0;
}
