/**
 * `npm run cli -- client add`: registers an OpenID Connect client as the admin API does — its
 * kind, exact redirect URIs, post-logout redirect URIs, back-channel logout URI, scopes, minimum
 * acr and whether it is the deployment's own — and prints its id (and a confidential client's
 * secret, shown this once).
 */
import { ACR_VALUES, type Acr } from '../oidc/clients.js';
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
} as const;

export const clientAddUsage = `  client add --name <name> --kind confidential|public --redirect-uri <uri> [--redirect-uri …]
             [--post-logout-redirect-uri <uri> …] [--backchannel-logout-uri <uri>]
             [--scope openid --scope email …] [--min-acr urn:portcullis:aal2] [--first-party]
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
    },
    null,
    { ip: null, userAgent: 'cli' },
  );
  console.log(`Registered "${client.name}" (${client.kind}).`);
  console.log(`client_id:     ${client.clientId}`);
  if (clientSecret) console.log(`client_secret: ${clientSecret}   (shown this once: keep it now)`);
  return 0;
}
