/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0): Portcullis posts a signed logout
 * token here when the user's Portcullis session ends (signed out there, ended by an
 * administrator, deactivated). The token is checked as section 2.6 says — signature against the
 * issuer's published keys, issuer, audience (this client), `typ` logout+jwt, the logout event, a
 * `sid`, no `nonce` — and every portal session signed in with that `sid` ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import type { SessionStore } from './sessions.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MAX_BODY = 16 * 1024;

function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

export function backchannelLogout(
  config: () => Promise<oidc.Configuration>,
  clientId: string,
  sessions: SessionStore,
) {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, error?: string) => {
      res.writeHead(status, {
        'cache-control': 'no-store',
        ...(error ? { 'content-type': 'application/json' } : {}),
      });
      res.end(error ? JSON.stringify({ error }) : undefined);
    };
    const token = (await formOf(req).catch(() => undefined))?.get('logout_token');
    if (!token) return answer(400, 'invalid_request');
    const metadata = (await config()).serverMetadata();
    keys ??= createRemoteJWKSet(new URL(metadata.jwks_uri!));
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: metadata.issuer,
        audience: clientId,
        typ: 'logout+jwt',
        requiredClaims: ['iat', 'jti', 'events', 'sid'],
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (typeof events?.[EVENT] !== 'object' || 'nonce' in payload)
        return answer(400, 'invalid_request');
      sessions.endSignedIn(String(payload.sid));
      return answer(200);
    } catch {
      return answer(400, 'invalid_request'); // not Portcullis's, or not for this portal
    }
  };
}
