/**
 * The provider's interaction is Portcullis's own sign-in (issue 14). Signed out, or signed in too
 * long ago for `max_age` / `prompt=login`: to the hosted sign-in page, which comes back here.
 * Signed in: the login is the Portcullis session's — its `acr`, `amr` and `auth_time`, never
 * more. A session below what the client or `acr_values` need goes through the hosted step-up
 * (`/sign-in/step-up`), which raises the session itself and comes back; cancelled there, the
 * client hears `access_denied` (no token below what was asked is ever issued). First-party
 * clients, and scopes the user allowed before, are granted at once; others go to the consent page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InteractionResults, Provider } from 'oidc-provider';
import type { Db, OidcClientsTable } from '../store/schema.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { assuranceOf, meets, requiredAcr, type Assurance } from './assurance.js';
import { askedAfter, markedAfter } from './fresh-sign-in.js';
import { portcullisSessionOf, type SessionCheckDeps } from './session-check.js';

export interface InteractionDeps extends Pick<SessionCheckDeps, 'sessions' | 'sessionCookie'> {
  db: Db;
  hasher: KeyedHasher;
  now: () => number;
}

/** Everything a grant needs, once every check has passed. */
export interface Ready {
  accountId: string;
  assurance: Assurance;
  client: OidcClientsTable;
  /** The scopes asked for that the client may have. */
  scopes: string[];
  /** The grant this account already holds with this client, if any. */
  grantId: string | undefined;
}

/** What the interaction does next. */
export type Decision =
  | { kind: 'redirect'; location: string }
  | { kind: 'finish'; result: InteractionResults }
  | { kind: 'consent'; ready: Ready }
  | { kind: 'grant'; ready: Ready };

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

export async function decide(
  provider: Provider,
  d: InteractionDeps,
  req: IncomingMessage,
  details: Details,
): Promise<Decision> {
  const here = interactionPath(details.uid);
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  if (query.get('abort') === '1') return denied('The user cancelled the sign-in.');
  const cookies = parseCookies(req.headers.cookie);
  const auth = await portcullisSessionOf(d, (name) => cookies[name]);
  if (!auth) return { kind: 'redirect', location: signInTo(here) };

  const assurance = assuranceOf(auth);
  const params = details.params as Record<string, string | undefined>;
  // A fresh sign-in was asked for (`prompt=login`, or `max_age` passed): back here it must be
  // newer than when it was asked (marked in the return address: `fresh-sign-in.ts`).
  const nowMs = d.now();
  const after = markedAfter(d.hasher, details.uid, query);
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  const fresh = after !== undefined && assurance.authTimeMs > after;
  // `max_age=0` asks for a sign-in now, as `prompt=login` does (OpenID Connect Core 3.1.2.1).
  const elapsed = Math.floor(nowMs / 1000) - assurance.authTime;
  const tooOld = maxAge !== undefined && (maxAge === 0 || elapsed > maxAge);
  const loginAsked = details.prompt.reasons.includes('login_prompt');
  if (!fresh && (tooOld || loginAsked)) {
    const back = `${here}?${askedAfter(d.hasher, details.uid, nowMs)}`;
    return { kind: 'redirect', location: signInTo(back) };
  }

  const client = await d.db
    .selectFrom('oidc_clients')
    .selectAll()
    .where('client_id', '=', params.client_id!)
    .executeTakeFirst();
  if (!client) return { kind: 'finish', result: { error: 'invalid_client' } };
  const required = requiredAcr(client.min_acr, params.acr_values);
  if (!meets(assurance.acr, required)) {
    const back = encodeURIComponent(here);
    const acr = encodeURIComponent(required);
    return { kind: 'redirect', location: `/sign-in/step-up?return_to=${back}&acr=${acr}` };
  }

  const allowed = new Set(JSON.parse(client.scopes) as string[]);
  const scopes = (params.scope ?? 'openid').split(' ').filter((s) => allowed.has(s));
  // The grant of this account with this client (never one the provider's session holds for an
  // account that is no longer the one signed in).
  const held = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const mine = held?.accountId === auth.account.id ? held : undefined;
  const ready: Ready = {
    accountId: auth.account.id,
    assurance,
    client,
    scopes,
    grantId: mine?.jti,
  };
  const consented = mine !== undefined && scopes.every((s) => mine.getOIDCScope().includes(s));
  return { kind: client.first_party === 1 || consented ? 'grant' : 'consent', ready };
}

export const denied = (description: string): Decision => ({
  kind: 'finish',
  result: { error: 'access_denied', error_description: description },
});

/** The login (the session's own assurance) and a grant of the scopes. */
export async function grantResult(provider: Provider, ready: Ready): Promise<InteractionResults> {
  const found = ready.grantId ? await provider.Grant.find(ready.grantId) : undefined;
  const grant =
    found ?? new provider.Grant({ accountId: ready.accountId, clientId: ready.client.client_id });
  grant.addOIDCScope(ready.scopes.join(' '));
  const grantId = await grant.save();
  const { acr, amr, authTime } = ready.assurance;
  return {
    login: { accountId: ready.accountId, acr, amr, ts: authTime, remember: false },
    consent: { grantId },
  };
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

const signInTo = (back: string) => `/sign-in?return_to=${encodeURIComponent(back)}`;

/** `GET /oidc/interaction/:uid`: the browser's stop between the provider and the pages. */
export async function handleInteraction(
  provider: Provider,
  d: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const decision = await decide(provider, d, req, details);
  const finish = (result: InteractionResults) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  switch (decision.kind) {
    case 'redirect':
      return redirect(res, decision.location);
    case 'finish':
      return finish(decision.result);
    case 'consent':
      return redirect(
        res,
        `/sign-in/consent?return_to=${encodeURIComponent(interactionPath(details.uid))}`,
      );
    case 'grant':
      return finish(await grantResult(provider, decision.ready));
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
