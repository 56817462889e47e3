/**
 * The WebAuthn relying party (S15) from the configuration: the RP ID passkeys are bound to and
 * the exact origins a ceremony may come from, by default both from PUBLIC_URL. Checked at start:
 * every origin is a bare origin (scheme, host, port), https unless its host is localhost, and its
 * host is the RP ID or below it, as browsers require.
 */

export interface RelyingPartyConfig {
  /** The RP ID: a domain (never an IP address, which browsers refuse). */
  id: string;
  /** The display name: the portal's name. */
  name: string;
  /** Exact origins, e.g. `https://id.example.com`. */
  origins: string[];
  /** How long a ceremony may take; its challenge expires with it. */
  timeoutMs: number;
}

const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

export function parseRelyingParty(
  input: {
    publicUrl: URL;
    portalName: string;
    rpId: string | undefined;
    origins: string | undefined;
    timeoutSeconds: number;
  },
  problems: string[],
): RelyingPartyConfig {
  const id = (input.rpId ?? input.publicUrl.hostname).trim().toLowerCase();
  // An IP address is accepted for the API (tests reach the server at 127.0.0.1), but browsers
  // will not create passkeys for it; only a named RP ID is checked for shape.
  const ipLike = /^[\d.]+$/.test(id) || id.startsWith('[');
  if (input.rpId !== undefined && (ipLike || !DOMAIN.test(id))) {
    problems.push(
      `WEBAUTHN_RP_ID must be a domain name such as example.com, not an address or URL (got "${input.rpId}")`,
    );
  }
  const origins: string[] = [];
  const raw = input.origins
    ?.split(',')
    .map((o) => o.trim())
    .filter(Boolean) ?? [input.publicUrl.origin];
  for (const value of raw) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(
        `WEBAUTHN_ORIGINS must list origins such as https://id.example.com (got "${value}")`,
      );
      continue;
    }
    if (url.origin !== value.replace(/\/$/, '')) {
      problems.push(
        `WEBAUTHN_ORIGINS must list bare origins (scheme, host and port, no path) (got "${value}")`,
      );
      continue;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalhost(url.hostname))) {
      if (input.origins !== undefined) {
        problems.push(
          `WEBAUTHN_ORIGINS must use https:// (plain http only for localhost) (got "${value}")`,
        );
        continue;
      }
    }
    const host = url.hostname;
    if (host !== id && !host.endsWith(`.${id}`)) {
      problems.push(
        `WEBAUTHN_RP_ID "${id}" must be the host of every passkey origin or a parent domain of it (${url.origin} is not)`,
      );
      continue;
    }
    origins.push(url.origin);
  }
  if (origins.length === 0 && raw.length === 0)
    problems.push('WEBAUTHN_ORIGINS must list at least one origin');
  return { id, name: input.portalName, origins, timeoutMs: input.timeoutSeconds * 1000 };
}
