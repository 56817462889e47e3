/**
 * The relying parties an administrator registers (issue 14): confidential (a secret, shown once
 * and stored only as a keyed hash, or `private_key_jwt` with its public keys) or public (an SPA
 * or a native app: PKCE alone), their exact redirect URIs, the scopes they may ask for, the
 * lowest `acr` they accept, how their ID tokens are signed, and whether they are the deployment's
 * own (no consent page). `metadataOf` is what `oidc-provider` reads of one.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, randomToken } from '../crypto/random.js';
import { AppError } from '../errors/app-error.js';
import type { Db, OidcClientsTable } from '../store/schema.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { publicJwksOf } from './client-keys.js';

export const OIDC_SCOPES = [
  'openid',
  'email',
  'phone',
  'profile',
  'organisation',
  'offline_access',
] as const;
export const ACR_VALUES = [
  'urn:portcullis:aal1',
  'urn:portcullis:aal2',
  'urn:portcullis:aal2:phishing-resistant',
] as const;
export type Acr = (typeof ACR_VALUES)[number];
/** How a confidential client authenticates: its secret, or an assertion signed by its own key. */
export const CONFIDENTIAL_AUTH_METHODS = ['client_secret_basic', 'private_key_jwt'] as const;
export type ConfidentialAuthMethod = (typeof CONFIDENTIAL_AUTH_METHODS)[number];
export const ID_TOKEN_ALGS = ['ES256', 'RS256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

export interface NewClient {
  name: string;
  kind: 'confidential' | 'public';
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  scopes?: string[];
  minAcr?: Acr;
  firstParty?: boolean;
  backchannelLogoutUri?: string | null;
  /** A confidential client's way to authenticate (default `client_secret_basic`). */
  authMethod?: ConfidentialAuthMethod;
  /** Its public keys, for `private_key_jwt`. */
  jwks?: unknown;
  /** How its ID tokens are signed (default ES256). */
  idTokenAlg?: IdTokenAlg;
}

export interface ClientView {
  clientId: string;
  name: string;
  kind: 'confidential' | 'public';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: string[];
  minAcr: string;
  firstParty: boolean;
  backchannelLogoutUri: string | null;
  authMethod: OidcClientsTable['auth_method'];
  idTokenAlg: IdTokenAlg;
  createdAt: number;
}

const SECRET_DOMAIN = 'oidc-client-secret';

/** The keyed hash a presented client secret is compared by. */
export const secretHashOf = (hasher: KeyedHasher, secret: string) =>
  hasher.hash(SECRET_DOMAIN, secret);

function invalid(field: string, message: string): AppError {
  return new AppError('OIDC_CLIENT_INVALID', { message, details: { field } });
}

/** An exact, absolute URI: https, or http on a loopback address (RFC 8252); no fragment. */
function checkUri(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `${value} is not an absolute URI.`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw invalid(field, `${value} must use https (http only on a loopback address).`);
  if (url.hash !== '' || value.includes('#')) throw invalid(field, `${value} has a fragment.`);
  return value;
}

function viewOf(row: OidcClientsTable): ClientView {
  return {
    clientId: row.client_id,
    name: row.name,
    kind: row.kind,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    scopes: JSON.parse(row.scopes) as string[],
    minAcr: row.min_acr,
    firstParty: row.first_party === 1,
    backchannelLogoutUri: row.backchannel_logout_uri,
    authMethod: row.auth_method,
    idTokenAlg: row.id_token_alg,
    createdAt: row.created_at,
  };
}

/** The client as `oidc-provider` reads it (its secret field holds the keyed hash). */
export function metadataOf(row: OidcClientsTable): Record<string, unknown> {
  const view = viewOf(row);
  return {
    client_id: view.clientId,
    client_name: view.name,
    token_endpoint_auth_method: row.auth_method,
    ...(row.secret_hash === null ? {} : { client_secret: row.secret_hash }),
    ...(row.jwks === null ? {} : { jwks: JSON.parse(row.jwks) as unknown }),
    redirect_uris: view.redirectUris,
    post_logout_redirect_uris: view.postLogoutRedirectUris,
    grant_types: view.scopes.includes('offline_access')
      ? ['authorization_code', 'refresh_token']
      : ['authorization_code'],
    response_types: ['code'],
    scope: view.scopes.join(' '),
    id_token_signed_response_alg: row.id_token_alg,
    ...(view.backchannelLogoutUri
      ? {
          backchannel_logout_uri: view.backchannelLogoutUri,
          backchannel_logout_session_required: true,
        }
      : {}),
  };
}

export interface ClientDeps {
  db: Db;
  hasher: KeyedHasher;
  clock: Clock;
  audit: AuditLog;
  units: UnitOfWork;
}

export function createClientRegistry(d: ClientDeps) {
  const find = (clientId: string) =>
    d.db
      .selectFrom('oidc_clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst();

  return {
    find,

    /** Registers a client; a confidential one's secret is in the answer, and never again. */
    async register(
      input: NewClient,
      actorId: string | null,
      origin: RequestOrigin,
    ): Promise<{ client: ClientView; clientSecret: string | null }> {
      const name = input.name.trim();
      if (name === '' || name.length > 100) throw invalid('name', 'Give the client a name.');
      if (input.redirectUris.length === 0)
        throw invalid('redirectUris', 'A client needs at least one redirect URI.');
      const redirectUris = input.redirectUris.map((u) => checkUri('redirectUris', u));
      const postLogout = (input.postLogoutRedirectUris ?? []).map((u) =>
        checkUri('postLogoutRedirectUris', u),
      );
      const scopes = [...new Set(['openid', ...(input.scopes ?? ['openid', 'email'])])];
      const unknown = scopes.find((s) => !(OIDC_SCOPES as readonly string[]).includes(s));
      if (unknown) throw invalid('scopes', `${unknown} is not a scope Portcullis knows.`);
      const backchannel = input.backchannelLogoutUri
        ? checkUri('backchannelLogoutUri', input.backchannelLogoutUri)
        : null;
      const authMethod =
        input.kind === 'public' ? 'none' : (input.authMethod ?? 'client_secret_basic');
      if (input.kind === 'public' && input.authMethod !== undefined)
        throw invalid('authMethod', 'A public client has no way to authenticate: PKCE alone.');
      if ((authMethod === 'private_key_jwt') !== (input.jwks !== undefined))
        throw invalid(
          'jwks',
          'A client authenticating with private_key_jwt needs its public keys (jwks), and only it.',
        );
      const jwks = input.jwks === undefined ? null : publicJwksOf(input.jwks);
      const secret = authMethod === 'client_secret_basic' ? randomToken() : null;
      const row: OidcClientsTable = {
        client_id: newId(),
        name,
        kind: input.kind,
        secret_hash: secret === null ? null : secretHashOf(d.hasher, secret),
        redirect_uris: JSON.stringify(redirectUris),
        post_logout_redirect_uris: JSON.stringify(postLogout),
        scopes: JSON.stringify(scopes),
        min_acr: input.minAcr ?? 'urn:portcullis:aal1',
        first_party: input.firstParty ? 1 : 0,
        backchannel_logout_uri: backchannel,
        created_by: actorId,
        created_at: d.clock.now(),
        auth_method: authMethod,
        jwks,
        id_token_alg: input.idTokenAlg ?? 'ES256',
      };
      await d.units.transaction(async () => {
        await d.db.insertInto('oidc_clients').values(row).execute();
        await d.audit.record({
          action: 'oidc.client_registered',
          actorId,
          origin,
          details: { clientId: row.client_id, kind: row.kind },
        });
      });
      return { client: viewOf(row), clientSecret: secret };
    },

    async list(): Promise<ClientView[]> {
      const rows = await d.db.selectFrom('oidc_clients').selectAll().orderBy('name').execute();
      return rows.map(viewOf);
    },

    async remove(clientId: string, actorId: string | null, origin: RequestOrigin): Promise<void> {
      await d.units.transaction(async () => {
        const gone = await d.db
          .deleteFrom('oidc_clients')
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) throw new AppError('OIDC_CLIENT_NOT_FOUND');
        await d.audit.record({
          action: 'oidc.client_removed',
          actorId,
          origin,
          details: { clientId },
        });
      });
    },
  };
}

export type ClientRegistry = ReturnType<typeof createClientRegistry>;
