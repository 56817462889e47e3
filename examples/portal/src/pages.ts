/** The portal's pages: plain HTML, every value escaped, no script. */
import type { IDToken } from 'openid-client';
import type { SignedIn } from './sessions.js';

const escape = (value: unknown): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escape(title)} · Example Claims Portal</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
    table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
    .button { display: inline-block; padding: .5rem 1rem; background: #1f4e8c; color: #fff; border: 0; border-radius: 4px; text-decoration: none; font: inherit; cursor: pointer; }
  </style>
</head>
<body>
  <header><strong>Example Claims Portal</strong></header>
  <main>
${body}
  </main>
</body>
</html>`;
}

/** `urn:portcullis:aal2` → `aal2`; an acr of another scheme stays as it is. */
export const shortAcr = (acr: unknown) =>
  typeof acr === 'string' ? acr.replace(/^urn:portcullis:/, '') : 'no acr';

/** "Signed in as ada@clinic.org (aal2, pwd + otp + mfa)": the ID token's acr and amr, as they are. */
export function signedInLine(claims: IDToken, email: string | undefined): string {
  const who = email ?? claims.sub;
  const amr = Array.isArray(claims.amr) ? claims.amr.join(' + ') : 'no amr';
  return `Signed in as ${who} (${shortAcr(claims.acr)}, ${amr})`;
}

export function homePage(user: SignedIn | undefined, notice?: string): string {
  const note = notice ? `<p role="status">${escape(notice)}</p>` : '';
  if (!user)
    return layout(
      'Home',
      `${note}
    <h1>Welcome</h1>
    <p>Sign in to see your claims.</p>
    <p><a class="button" href="/login">Sign in with Portcullis</a></p>`,
    );
  return layout(
    'Home',
    `${note}
    <h1>Welcome</h1>
    <p>${escape(signedInLine(user.claims, user.email))}</p>
    <p><a href="/claims">View claims</a> (needs a two-factor sign-in)</p>
    <form method="post" action="/logout"><button class="button" type="submit">Sign out</button></form>`,
  );
}

export function claimsPage(user: SignedIn, userinfo: Record<string, unknown> | string): string {
  const rows = (values: Record<string, unknown>) =>
    Object.entries(values)
      .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(JSON.stringify(v))}</td></tr>`)
      .join('\n');
  return layout(
    'Claims',
    `
    <h1>Your claims</h1>
    <p>${escape(signedInLine(user.claims, user.email))}</p>
    <h2>ID token claims</h2>
    <table aria-label="ID token claims">${rows({ ...user.claims })}</table>
    <h2>Userinfo</h2>
    ${
      typeof userinfo === 'string'
        ? `<p>${escape(userinfo)}</p>`
        : `<table aria-label="Userinfo">${rows(userinfo)}</table>`
    }
    <p><a href="/">Home</a></p>`,
  );
}

export function problemPage(message: string): string {
  return layout(
    'Sign-in problem',
    `
    <h1>Sign-in problem</h1>
    <p role="alert">${escape(message)}</p>
    <p><a href="/">Home</a></p>`,
  );
}
