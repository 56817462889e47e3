/**
 * Who may ask about a token, and who may revoke one (RFC 7662, RFC 7009), said here rather than
 * left to the provider's defaults, and how long the provider's own records live. A resource
 * server is registered as a confidential client: it may introspect any token; a public client
 * (which cannot prove who it is) only its own. Revoking is for the client the token was issued to.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

interface TokenLike {
  clientId?: string | undefined;
}
interface ClientLike {
  clientId: string;
  clientAuthMethod: string;
}

export function introspectionAllowed(
  _ctx: KoaContextWithOIDC,
  client: ClientLike,
  token: TokenLike,
): boolean {
  return client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
}

/** `refuse` makes the error a confidential client hears (`invalid_request`). */
export function revocationAllowed(refuse: (message: string) => Error) {
  return (_ctx: KoaContextWithOIDC, client: ClientLike, token: TokenLike): boolean => {
    if (token.clientId === client.clientId) return true;
    if (client.clientAuthMethod === 'none') return false;
    throw refuse('This client may revoke only the tokens issued to it.');
  };
}

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** Lifetimes in seconds: tokens short; a browser's provider session as long as a Portcullis one. */
export function lifetimes(sessionAbsoluteMs: number) {
  return {
    AccessToken: HOUR_S,
    IdToken: HOUR_S,
    AuthorizationCode: 60,
    Interaction: HOUR_S,
    Session: Math.ceil(sessionAbsoluteMs / 1000),
    RefreshToken: 14 * DAY_S,
    Grant: 14 * DAY_S,
  };
}
