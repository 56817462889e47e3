/**
 * The few pages the OpenID Connect provider itself shows a browser, in Portcullis's words and
 * look rather than the provider's (whose pages fetch a web font from a third party): a sign-in
 * that cannot go back to its application, "Sign out of …?" for RP-initiated logout, and "You have
 * signed out" when no application is to be returned to. Text is escaped; the only style is the
 * pages' own, allowed by its hash in the Content-Security-Policy; forms post only to this site
 * (and the logout page's answer goes on only to the client's registered post-logout URI).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

const STYLE =
  'body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1b2430;margin:0}' +
  'main{max-width:36rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;' +
  'box-shadow:0 1px 3px rgba(0,0,0,.12)}h1{font-size:1.4rem;margin-top:0}' +
  'code{background:#eef1f4;padding:.1rem .3rem;border-radius:4px}' +
  'button{font:inherit;padding:.5rem 1rem;margin-right:.5rem;border-radius:6px;border:1px solid #1f5fbf;' +
  'background:#1f5fbf;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#1f5fbf}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The pages' headers. A form's redirect is held to `form-action` too, so the logout page also
 * names where its answer goes next: the client's registered post-logout URI, checked already.
 */
export function pageHeaders(redirectsTo?: string): Record<string, string> {
  const origin = redirectsTo ? ` ${new URL(redirectsTo).origin}` : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'${origin}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
  };
}
export const PAGE_HEADERS = pageHeaders();

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A page: `title` (plain text) and `body` (HTML, already escaped where it must be). */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}</main></body></html>`;
}

export interface SignInProblem {
  /** The OAuth error code (`invalid_request`, `invalid_client`, …). */
  error: string;
  /** What went wrong, in words safe to show. */
  description: string;
}

export function errorPageHtml(problem: SignInProblem): string {
  return page(
    'This sign-in cannot continue',
    `<p role="alert">${escapeHtml(problem.description)}</p>
<p>Go back to the application and start again. If this keeps happening, contact your administrator.</p>
<p>Error: <code>${escapeHtml(problem.error)}</code></p>`,
  );
}

/** Writes the error page with `status` (headers not sent yet), or ends what was begun. */
export function sendErrorPage(res: ServerResponse, status: number, problem: SignInProblem): void {
  if (!res.headersSent) res.writeHead(status, PAGE_HEADERS);
  res.end(errorPageHtml(problem));
}

/** RP-initiated logout's question; `form` is the provider's (its action and xsrf field). */
export function logoutPageHtml(portalName: string, form: string): string {
  return page(
    `Sign out of ${portalName}?`,
    `<p>The application you were using asks to sign you out. Signing out ends your session here
and in the other applications you signed in to through it.</p>
${form}
<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button></p>`,
  );
}

export function signedOutPageHtml(portalName: string): string {
  return page(
    'You have signed out',
    `<p>You are signed out of ${escapeHtml(portalName)}. You can close this window.</p>`,
  );
}
