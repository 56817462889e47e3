/**
 * The OpenID Connect provider (issue 14): panva's `oidc-provider`, issuer `PUBLIC_URL`, its
 * endpoints under `/oidc/` and discovery at `/.well-known/openid-configuration`, its storage the
 * project's database (`adapter.ts`) and its signing keys the sealed ones (`keys.ts`). Accounts are
 * Portcullis's; `sub` is the account id, never the email.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Provider as OidcProvider } from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Db } from '../store/schema.js';
import { kyselyAdapter } from './adapter.js';
import { claimsOf } from './claims.js';
import { introspectionAllowed, lifetimes, revocationAllowed } from './token-policies.js';
import {
  errorPageHtml,
  logoutPageHtml,
  PAGE_HEADERS,
  pageHeaders,
  signedOutPageHtml,
} from './provider-pages.js';
import { ACR_VALUES, metadataOf, OIDC_SCOPES, secretHashOf } from './clients.js';
import { portcullisPolicy } from './session-check.js';
import { takeOverLogoutTokens, type Backchannel } from './backchannel.js';
import { createSigningKeys, type SigningKeys } from './keys.js';
import { loadOidcProvider } from './quiet-import.js';

export const OIDC_PREFIX = '/oidc';

export interface OidcDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  hasher: KeyedHasher;
  clock: Clock;
  sessions: SessionService;
  /** The Portcullis session cookie's name: every authorization reads that session. */
  sessionCookie: string;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Records logins and ends sessions on RP-initiated logout (`backchannel.ts`). */
  backchannel: Pick<Backchannel, 'middleware'>;
}

const HOUR = 3_600_000;

export function signingKeysOf(d: Pick<OidcDeps, 'db' | 'box' | 'clock'>): SigningKeys {
  return createSigningKeys(d.db, d.box, () => d.clock.now(), {
    publishLeadMs: HOUR,
    retainMs: 24 * HOUR,
  });
}

/** The lowest `acr` a registered client accepts. */
export async function minAcrOf(db: Db, clientId: string): Promise<string> {
  const row = await db
    .selectFrom('oidc_clients')
    .select('min_acr')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row?.min_acr ?? 'urn:portcullis:aal1';
}

export async function createOidcProvider(d: OidcDeps): Promise<OidcProvider> {
  const { Provider, errors, interactionPolicy } = await loadOidcProvider(d.log);
  const keys = signingKeysOf(d);
  await keys.ensure();
  const cookieKey = createHmac('sha256', d.config.secretKey).update('oidc-cookies').digest('hex');
  const route = (path: string) => `${OIDC_PREFIX}${path}`;

  const Stored = kyselyAdapter(d.db, d.clock, (message) => new errors.InvalidGrant(message));
  /** Clients are the registered ones (`clients.ts`), read from their own table. */
  class Adapter extends Stored {
    override async find(id: string) {
      if (this.kind !== 'Client') return super.find(id);
      const row = await d.db
        .selectFrom('oidc_clients')
        .selectAll()
        .where('client_id', '=', id)
        .executeTakeFirst();
      return row ? metadataOf(row) : undefined;
    }
  }

  const provider = new Provider(new URL(d.config.publicUrl).origin, {
    adapter: Adapter,
    jwks: { keys: (await keys.current()) as never },
    clients: [],
    cookies: { keys: [cookieKey] },
    routes: {
      authorization: route('/auth'),
      end_session: route('/session/end'),
      introspection: route('/token/introspection'),
      jwks: route('/jwks'),
      revocation: route('/token/revocation'),
      token: route('/token'),
      userinfo: route('/me'),
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed as never },
      revocation: {
        enabled: true,
        allowedPolicy: revocationAllowed((m) => new errors.InvalidRequest(m)) as never,
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          const next = ctx.oidc.session?.state?.postLogoutRedirectUri as string | undefined;
          ctx.set(pageHeaders(next));
          ctx.body = logoutPageHtml(d.config.portalName, form);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.set(PAGE_HEADERS);
          ctx.body = signedOutPageHtml(d.config.portalName);
        },
      },
    },
    // Back-channel logout tokens go to administrator-registered URIs; one on a private or
    // loopback network only with OIDC_BACKCHANNEL_PRIVATE_NETWORKS (the provider's SSRF guard).
    fetch: (url, init) => {
      const options = init as (RequestInit & { dispatcher?: unknown }) | undefined;
      if (options && d.config.oidcBackchannelPrivateNetworks) delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    // A secret (kept as a keyed hash; in the Basic header or, as many clients send it, the
    // form), the client's own key, or nothing for a public client. Never client_secret_jwt:
    // Portcullis does not hold a secret it could check an HMAC with.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    pkce: { required: () => true },
    // Every use of a refresh token replaces it (confidential clients too, at once); a used one
    // presented again is a reuse: the grant is revoked with every token of it.
    rotateRefreshToken: () => true,
    // Tokens live at most an hour; a retired key stays published a day (`keys.ts`).
    ttl: lifetimes(d.config.sessionAbsoluteMs),
    scopes: [...OIDC_SCOPES],
    acrValues: [...ACR_VALUES],
    interactions: {
      url: (_ctx, interaction) => route(`/interaction/${interaction.uid}`),
      policy: portcullisPolicy(interactionPolicy, { ...d, minAcrOf: (id) => minAcrOf(d.db, id) }),
    },
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // Every ID token says what the session reached: its acr, amr and last authentication.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      profile: ['name'],
      organisation: ['org_id', 'org_name', 'role'],
    },
    // A request that cannot go back to its client: Portcullis's page, never the provider's.
    async renderError(ctx, out) {
      ctx.set(PAGE_HEADERS);
      ctx.body = errorPageHtml({
        error: String(out.error),
        description: String(out.error_description ?? 'The request is not valid.'),
      });
    },
    async findAccount(_ctx, sub) {
      const claims = await claimsOf(d.db, sub);
      return claims && { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
  });
  provider.proxy = true;
  provider.use(d.backchannel.middleware);
  takeOverLogoutTokens(provider);
  // A client's secret is stored as a keyed hash: the one presented is hashed, then compared.
  const clientPrototype = provider.Client.prototype as unknown as {
    clientSecret?: string;
    compareClientSecret(actual: string): boolean;
  };
  clientPrototype.compareClientSecret = function (this: { clientSecret?: string }, actual) {
    const stored = Buffer.from(this.clientSecret ?? '');
    const given = Buffer.from(secretHashOf(d.hasher, actual));
    return stored.length === given.length && timingSafeEqual(stored, given);
  };
  return provider;
}
