/**
 * A relying party's side of the OpenID Connect tests, without a browser: a cookie jar that acts
 * like one (by name; the provider scopes its cookies by path and checks them by name), a walk that
 * follows redirects on the server until they leave it, and a registered client's configuration.
 */
import type { FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { adminAtAal2 } from './admin.js';

export class Jar {
  private readonly cookies = new Map<string, string>();
  constructor(initial?: string) {
    if (initial) for (const part of initial.split(';')) this.put(part);
  }
  /** A cookie the user's other requests were given (a session token rotated by a step-up). */
  put(pair: string) {
    const i = pair.indexOf('=');
    if (i > 0) this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  absorb(res: Response) {
    for (const set of res.headers.getSetCookie()) this.put(set.split(';')[0]!);
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows redirects on `origin` the way a browser would, until they leave it. */
export async function walk(origin: string, start: URL, jar: Jar): Promise<URL> {
  let url = start;
  for (let i = 0; i < 10; i++) {
    if (url.origin !== origin) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header } });
    jar.absorb(res);
    const location = res.headers.get('location');
    if (!location) return url;
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

/** Registers a confidential client (an administrator at AAL2 does it) and discovers the issuer. */
export async function registeredClient(
  app: FastifyInstance,
  url: string,
  settings: Record<string, unknown> & { redirectUris: string[] },
): Promise<{ config: oidc.Configuration; clientId: string; clientSecret: string }> {
  const admin = await adminAtAal2(app, `root-${Math.random().toString(36).slice(2)}@clinic.org`);
  const registered = await admin.c.post('/api/v1/admin/oidc/clients', {
    name: 'Claims portal',
    kind: 'confidential',
    ...settings,
  });
  if (registered.statusCode !== 201 && registered.statusCode !== 200)
    throw new Error(`client not registered: ${registered.body}`);
  const { client, clientSecret } = registered.json();
  const config = await oidc.discovery(new URL(url), client.clientId, clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  return { config, clientId: client.clientId, clientSecret };
}

/** An authorization request with PKCE, state and nonce; walked until it leaves the server. */
export async function authorize(
  origin: string,
  config: oidc.Configuration,
  redirect: string,
  jar: Jar,
  extra: Record<string, string> = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { landed: await walk(origin, url, jar), verifier, state, nonce };
}
