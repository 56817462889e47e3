/**
 * Portals beside Portcullis that do not use OpenID Connect: behind a reverse proxy on the same
 * parent domain, they ask `GET /api/v1/forward-auth` with the browser's cookie. `COOKIE_DOMAIN`
 * widens the session cookie to that parent domain (then `__Secure-`, never `__Host-`), and
 * `RETURN_TO_ORIGINS` lists the origins a sign-in may send the browser back to. Checked at start.
 */

export interface PortalsConfig {
  /** The session cookie's Domain, or null for a host-only cookie (the default, S16). */
  cookieDomain: string | null;
  /** Bare origins (`https://claims.example.com`) a `return_to` may lead to. */
  returnToOrigins: string[];
}

const isLoopback = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1';

export function parsePortals(
  input: { publicUrl: URL; cookieDomain: string | undefined; returnToOrigins: string | undefined },
  problems: string[],
): PortalsConfig {
  const domain = input.cookieDomain?.trim().toLowerCase().replace(/^\./, '') || null;
  const host = input.publicUrl.hostname;
  if (domain !== null && host !== domain && !host.endsWith(`.${domain}`)) {
    problems.push(
      `COOKIE_DOMAIN must be the host of PUBLIC_URL or a parent domain of it (${host} is not under "${domain}")`,
    );
  }
  const returnToOrigins: string[] = [];
  for (const value of (input.returnToOrigins ?? '').split(',').map((o) => o.trim())) {
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== value.replace(/\/$/, '')) {
      problems.push(
        `RETURN_TO_ORIGINS must list bare origins such as https://claims.example.com (got "${value}")`,
      );
      continue;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      problems.push(
        `RETURN_TO_ORIGINS must use https:// (plain http only for localhost) (got "${value}")`,
      );
      continue;
    }
    returnToOrigins.push(url.origin);
  }
  return { cookieDomain: domain, returnToOrigins };
}
