/**
 * The OpenID Connect calls a portal makes of Portcullis, in the socket rounds: the
 * authorization-code exchange at the token endpoint and token introspection. Codes are made
 * first, untimed, by walking the authorization request with a signed-in user's cookie (the
 * provider sees the benchmark's plain-HTTP socket as its `https://` public URL through
 * `X-Forwarded-Proto`, as behind a TLS-ending proxy); each is redeemed once, with its PKCE
 * verifier and the client's secret (HTTP Basic), so the exchange phase runs until they are spent.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Requests } from './load.js';
import { PUBLIC_URL, SESSION_COOKIE } from './portcullis.js';
import type { Seeded } from './seed.js';

const FORWARDED = { 'x-forwarded-proto': 'https' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded', ...FORWARDED };

export interface Code {
  code: string;
  verifier: string;
}

const basic = (o: Seeded['oidc']) =>
  `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}`;

/** One authorization request walked until it lands on the client's redirect URI with a code. */
async function authorize(url: string, seeded: Seeded, session: string): Promise<Code> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: seeded.oidc.clientId,
    redirect_uri: seeded.oidc.redirectUri,
    response_type: 'code',
    scope: 'openid email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
  });
  const cookies = new Map([[SESSION_COOKIE, session]]);
  let next = `${url}/oidc/auth?${query}`;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { ...FORWARDED, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (!location) throw new Error(`the authorization stopped at ${res.status} (${next})`);
    const to = new URL(location, PUBLIC_URL);
    const code = to.searchParams.get('code');
    if (location.startsWith(seeded.oidc.redirectUri) && code) return { code, verifier };
    // The provider names itself by the request's host (the socket's) or by its public URL.
    const ours = to.origin === PUBLIC_URL || to.host === new URL(url).host;
    if (!ours) throw new Error(`the authorization left for ${to.origin}`);
    next = `${url}${to.pathname}${to.search}`;
  }
  throw new Error('too many redirects');
}

/** `count` codes, ten authorizations at a time, for one of the seeded users. */
export async function prepareCodes(url: string, seeded: Seeded, count: number): Promise<Code[]> {
  const codes: Code[] = [];
  const session = seeded.sessions[0]!;
  while (codes.length < count)
    codes.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - codes.length) }, () =>
          authorize(url, seeded, session),
        ),
      )),
    );
  return codes;
}

/** POST /oidc/token for each prepared code once; `tokens` gets the access tokens issued. */
export function codeExchange(seeded: Seeded, codes: Code[], tokens: string[]): Requests {
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/oidc/token',
      headers: { ...FORM, authorization: basic(seeded.oidc) },
      setupRequest: (req) => {
        const { code, verifier } = codes[next++ % codes.length]!;
        const body = new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: seeded.oidc.redirectUri,
          code_verifier: verifier,
        });
        return { ...req, body: body.toString() };
      },
      onResponse: (status, body) => {
        if (status === 200)
          tokens.push((JSON.parse(body) as { access_token: string }).access_token);
      },
    },
  ];
}

/** POST /oidc/token/introspection of one access token, as a resource server asks. */
export function introspection(seeded: Seeded, token: string): Requests {
  return [
    {
      method: 'POST',
      path: '/oidc/token/introspection',
      headers: { ...FORM, authorization: basic(seeded.oidc) },
      body: new URLSearchParams({ token }).toString(),
    },
  ];
}

/** Checks once that the token introspects as active (a phase of `active: false` proves nothing). */
export async function assertActive(url: string, seeded: Seeded, token: string): Promise<void> {
  const res = await fetch(`${url}/oidc/token/introspection`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(seeded.oidc) },
    body: new URLSearchParams({ token }),
  });
  const answer = (await res.json()) as { active?: boolean };
  if (answer.active !== true) throw new Error(`introspection said ${JSON.stringify(answer)}`);
}
