/**
 * The provider's login prompt, with two checks added, so every authorization request reads the
 * Portcullis session (its cookie) and never trusts the provider's own session past it: signed
 * out, ended by an administrator, another user signed in since — or a level below what the client
 * or the request's `acr_values` need — and the request goes through Portcullis's interaction
 * again (with `prompt=none`: `login_required`, or `unmet_authentication_requirements`).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type * as OidcModule from 'oidc-provider';
import type { AuthenticatedSession, SessionService } from '../sessions/sessions.js';
import { assuranceOf, meets, requiredAcr } from './assurance.js';

export interface SessionCheckDeps {
  sessions: SessionService;
  sessionCookie: string;
  /** The lowest `acr` a client accepts (its registration). */
  minAcrOf(clientId: string): Promise<string>;
}

/** Reads a cookie of the request by name. */
export type CookieReader = (name: string) => string | undefined;

/** The live Portcullis session the request carries, if any. */
export async function portcullisSessionOf(
  d: Pick<SessionCheckDeps, 'sessions' | 'sessionCookie'>,
  cookie: CookieReader,
): Promise<AuthenticatedSession | undefined> {
  const token = cookie(d.sessionCookie);
  return token ? d.sessions.authenticate(token) : undefined;
}

/** A Koa context's cookies, as the provider's checks see them (ours are not signed). */
const koaCookies =
  (ctx: Pick<KoaContextWithOIDC, 'cookies'>): CookieReader =>
  (name) =>
    ctx.cookies.get(name, { signed: false });

export function portcullisPolicy(
  interactionPolicy: typeof OidcModule.interactionPolicy,
  d: SessionCheckDeps,
) {
  const { Check, base } = interactionPolicy;
  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(
    new Check(
      'portcullis_session',
      'The Portcullis session ended or is another account’s',
      async (ctx) => {
        const auth = await portcullisSessionOf(d, koaCookies(ctx));
        return auth !== undefined && auth.account.id === ctx.oidc.session?.accountId
          ? Check.NO_NEED_TO_PROMPT
          : Check.REQUEST_PROMPT;
      },
    ),
  );
  login.checks.add(
    new Check(
      'portcullis_acr',
      'The session has not reached the level this client or request needs',
      'unmet_authentication_requirements',
      async (ctx) => {
        const auth = await portcullisSessionOf(d, koaCookies(ctx));
        if (!auth || !ctx.oidc.client) return Check.REQUEST_PROMPT;
        const acrValues = ctx.oidc.params?.acr_values as string | undefined;
        const required = requiredAcr(await d.minAcrOf(ctx.oidc.client.clientId), acrValues);
        return meets(assuranceOf(auth).acr, required)
          ? Check.NO_NEED_TO_PROMPT
          : Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}
