/**
 * The example portal: signs its users in through Portcullis with `openid-client`.
 *  - `/login`: authorization code with PKCE (S256), `state` and `nonce`, each checked at `/callback`.
 *  - `/claims`: needs `urn:portcullis:aal2`. A sign-in below it is sent back to Portcullis with
 *    `acr_values=urn:portcullis:aal2` (step-up), and the `acr` that comes back is checked again:
 *    the portal never takes the request for the answer.
 *  - `/logout`: ends the portal's session, then RP-initiated logout at Portcullis
 *    (`id_token_hint`, `post_logout_redirect_uri`), which comes back to `/signed-out`.
 *  - `/backchannel-logout`: Portcullis's logout tokens; the user's portal sessions end with theirs.
 * Tokens stay in the server-side session (`sessions.ts`), never in a URL, a cookie or a log line.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { backchannelLogout } from './backchannel.js';
import { claimsPage, homePage, problemPage, shortAcr } from './pages.js';
import { createSessionStore, type PortalSession } from './sessions.js';

export interface PortalOptions {
  /** Portcullis's issuer (its `PUBLIC_URL`), e.g. http://localhost:3000. */
  issuer: URL;
  clientId: string;
  /** A confidential client's secret (sent with HTTP Basic); none for a public client. */
  clientSecret?: string;
  /** Where this portal is reached, e.g. http://127.0.0.1:4000 (no trailing slash). */
  url: string;
}

/** Portcullis's levels, weakest first. */
const ACRS = [
  'urn:portcullis:aal1',
  'urn:portcullis:aal2',
  'urn:portcullis:aal2:phishing-resistant',
];
const AAL2 = 'urn:portcullis:aal2';
const meets = (acr: unknown, required: string) =>
  typeof acr === 'string' && ACRS.indexOf(acr) >= ACRS.indexOf(required);

/** An error's name, message and code: never a request, a response or a token. */
const errorLine = (err: unknown) =>
  err instanceof Error
    ? `${err.name}: ${err.message}${'code' in err ? ` (${String(err.code)})` : ''}`
    : 'error';

export function createPortal(options: PortalOptions): Server {
  const sessions = createSessionStore({ secure: options.url.startsWith('https:') });
  const redirectUri = `${options.url}/callback`;

  // Discovery at the first request that needs it (and again after a failure: Portcullis may be
  // starting). Plain http is allowed only for a development issuer on http://; never in production.
  let discovered: Promise<oidc.Configuration> | undefined;
  const config = () =>
    (discovered ??= oidc
      .discovery(
        options.issuer,
        options.clientId,
        undefined,
        options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
        options.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      }));

  const send = (res: ServerResponse, status: number, html: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(html);
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(303, { location, 'cache-control': 'no-store' });
    res.end();
  };

  const toldOfLogout = backchannelLogout(config, options.clientId, sessions);

  /** Sends the browser to Portcullis; `acrAsked` makes it a step-up. */
  async function signIn(
    req: IncomingMessage,
    res: ServerResponse,
    returnTo: string,
    acrAsked?: string,
  ) {
    const session = sessions.start(res, sessions.find(req));
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo,
      ...(acrAsked ? { acrAsked } : {}),
    };
    session.pending = pending;
    const url = oidc.buildAuthorizationUrl(await config(), {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(acrAsked ? { acr_values: acrAsked } : {}),
    });
    redirect(res, url.href);
  }

  async function callback(req: IncomingMessage, res: ServerResponse, session?: PortalSession) {
    const pending = session?.pending;
    if (!session || !pending)
      return send(res, 400, problemPage('No sign-in was started here. Start again from home.'));
    delete session.pending; // one answer per sign-in
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(
        await config(),
        new URL(req.url ?? '/', options.url),
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError) {
        const why = err.error_description ?? err.error;
        return send(
          res,
          403,
          problemPage(
            pending.acrAsked
              ? `Portcullis could not raise your sign-in to two factors: ${why}`
              : `Portcullis did not sign you in: ${why}`,
          ),
        );
      }
      // A state or nonce that does not match, a code refused at the token endpoint, a bad token.
      process.stderr.write(`portal: sign-in refused: ${errorLine(err)}\n`);
      return send(res, 400, problemPage('The sign-in could not be completed. Start again.'));
    }
    const claims = tokens.claims()!;
    // What was asked is not what was reached: the ID token's acr is checked.
    if (pending.acrAsked && !meets(claims.acr, pending.acrAsked))
      return send(
        res,
        403,
        problemPage(
          `Portcullis could not raise your sign-in to two factors: the sign-in reached ${shortAcr(claims.acr)}.`,
        ),
      );
    // The email (scope `email`) is in userinfo, for the user this ID token names.
    const userinfo = await oidc.fetchUserInfo(await config(), tokens.access_token, claims.sub);
    const signedIn = sessions.start(res, session); // a new id for the signed-in session
    signedIn.user = {
      claims,
      ...(typeof userinfo.email === 'string' ? { email: userinfo.email } : {}),
      idToken: tokens.id_token!,
      accessToken: tokens.access_token,
    };
    redirect(res, pending.returnTo);
  }

  async function claims(req: IncomingMessage, res: ServerResponse, session?: PortalSession) {
    const user = session?.user;
    if (!user) return signIn(req, res, '/claims');
    if (!meets(user.claims.acr, AAL2)) return signIn(req, res, '/claims', AAL2);
    let userinfo: Record<string, unknown> | string;
    try {
      userinfo = await oidc.fetchUserInfo(await config(), user.accessToken, user.claims.sub);
    } catch (err) {
      userinfo = `Userinfo could not be read (${err instanceof Error ? err.name : 'error'}).`;
    }
    send(res, 200, claimsPage(user, userinfo));
  }

  async function logout(res: ServerResponse, session?: PortalSession) {
    const idToken = session?.user?.idToken;
    sessions.end(res, session); // the portal's own session first
    if (!idToken) return redirect(res, '/');
    const end = oidc.buildEndSessionUrl(await config(), {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${options.url}/signed-out`,
    });
    redirect(res, end.href);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', options.url).pathname;
    const session = sessions.find(req);
    const key = `${req.method} ${path}`;
    if (key === 'GET /') return send(res, 200, homePage(session?.user));
    if (key === 'GET /signed-out')
      return send(res, 200, homePage(session?.user, 'You have signed out.'));
    if (key === 'GET /login') return signIn(req, res, '/');
    if (key === 'GET /callback') return callback(req, res, session);
    if (key === 'GET /claims') return claims(req, res, session);
    if (key === 'POST /logout') return logout(res, session);
    if (key === 'POST /backchannel-logout') return toldOfLogout(req, res);
    send(res, 404, problemPage('There is no such page.'));
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // The error's name and message only: a token never reaches a log line.
      process.stderr.write(
        `portal: ${req.method} ${req.url?.split('?')[0]} failed: ${errorLine(err)}\n`,
      );
      if (!res.headersSent) send(res, 500, problemPage('Something went wrong. Try again.'));
      else res.end();
    });
  });
}
