/**
 * Where a sign-in returns to when something else asked for it: an application signing in through
 * Portcullis (OpenID Connect: `/sign-in?return_to=/oidc/interaction/<uid>`), or a portal behind a
 * proxy using forward-auth (`return_to=https://claims.example.com/…`). Only a path of this site
 * under `/oidc/interaction/`, or a URL on an origin the deployment lists (RETURN_TO_ORIGINS, from
 * the config), is taken — never another origin, never `//host` — so the parameter cannot send
 * anyone elsewhere (no open redirect). Kept in sessionStorage across the sign-in's pages; taken once.
 */
const KEY = 'portcullis.returnTo';
const ALLOWED_PREFIX = '/oidc/interaction/';

let portalOrigins: readonly string[] = [];

/** The origins of the portals a sign-in may return to (set once the config has loaded). */
export function setPortalOrigins(origins: readonly string[]): void {
  portalOrigins = origins;
}

/** The address `value` names, if it is one a sign-in may return to. */
export function safeReturnTo(value: string | null, origin = window.location.origin): string | null {
  if (!value || value.includes('\\')) return null;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (portalOrigins.includes(url.origin) && /^https?:\/\//i.test(value)) return url.href;
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  if (url.origin !== origin || !url.pathname.startsWith(ALLOWED_PREFIX)) return null;
  return url.pathname + url.search;
}

/** Whether `returnTo` is an OpenID Connect interaction (which can be told the user cancelled). */
export const isInteraction = (returnTo: string) => returnTo.startsWith(ALLOWED_PREFIX);

/**
 * Reads `return_to` from the address (the sign-in page, when it opens). It is kept as given and
 * checked when taken, by which time the config (the portals' origins) has loaded.
 */
export function rememberReturnTo(): void {
  const wanted = new URLSearchParams(window.location.search).get('return_to');
  if (wanted && wanted.length <= 4000) sessionStorage.setItem(KEY, wanted);
}

/** Where to go once signed in (and forgets it), or null for the account page. */
export function takeReturnTo(): string | null {
  const wanted = safeReturnTo(sessionStorage.getItem(KEY));
  sessionStorage.removeItem(KEY);
  return wanted;
}

/** Where a sign-in will return to, left in place (a page that only mentions it). */
export function peekReturnTo(): string | null {
  return safeReturnTo(sessionStorage.getItem(KEY));
}

/** Keeps `path` (when safe) as where to go once the user has done what the page asks. */
export function keepReturnTo(path: string): void {
  const wanted = safeReturnTo(path);
  if (wanted) sessionStorage.setItem(KEY, wanted);
}
