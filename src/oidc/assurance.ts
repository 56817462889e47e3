/**
 * What a Portcullis session is worth to a relying party (issue 14), read from the session's own
 * record, never more: `acr` is the level it reached (`urn:portcullis:aal1`, `…:aal2`, and
 * `…:aal2:phishing-resistant` when a passkey was one of its factors); `amr` its RFC 8176
 * methods, with `mfa` at AAL2; `authTime` its last real authentication.
 */
import type { AuthenticatedSession } from '../sessions/sessions.js';
import { ACR_VALUES, type Acr } from './clients.js';

export interface Assurance {
  acr: Acr;
  amr: string[];
  /** Epoch seconds. */
  authTime: number;
  /** The same, in milliseconds (a fresh sign-in is compared with when it was asked for). */
  authTimeMs: number;
}

const PASSKEY = new Set(['hwk', 'swk']);

export function assuranceOf(auth: Pick<AuthenticatedSession, 'session' | 'amr'>): Assurance {
  const methods = [...new Set(auth.amr.map((m) => m.method))];
  const aal2 = auth.session.aal === 'aal2';
  const acr: Acr = !aal2
    ? 'urn:portcullis:aal1'
    : methods.some((m) => PASSKEY.has(m))
      ? 'urn:portcullis:aal2:phishing-resistant'
      : 'urn:portcullis:aal2';
  const last = Math.max(auth.session.created_at, ...auth.amr.map((m) => m.at));
  return {
    acr,
    amr: aal2 && !methods.includes('mfa') ? [...methods, 'mfa'] : methods,
    authTime: Math.floor(last / 1000),
    authTimeMs: last,
  };
}

/** Whether `acr` is at least `required` (the values are ordered weakest first). */
export const meets = (acr: Acr, required: Acr): boolean =>
  ACR_VALUES.indexOf(acr) >= ACR_VALUES.indexOf(required);

/**
 * What this request needs: the client's minimum, raised to the weakest `acr_values` entry this
 * deployment knows (an application asking `urn:portcullis:aal2` gets at least that, never less).
 */
export function requiredAcr(clientMin: string, acrValues: string | undefined): Acr {
  const known = (v: string): v is Acr => (ACR_VALUES as readonly string[]).includes(v);
  let required: Acr = known(clientMin) ? clientMin : 'urn:portcullis:aal1';
  const asked = (acrValues ?? '').split(' ').filter(known);
  if (asked.length > 0) {
    const weakest = asked.reduce((a, b) => (meets(a, b) ? b : a));
    if (meets(weakest, required)) required = weakest;
  }
  return required;
}
