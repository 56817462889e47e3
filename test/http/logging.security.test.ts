/**
 * S25: with logging at its most verbose, a whole story — sign-up, failed and good sign-ins,
 * wrong and right codes, a resend, an invitation opened and accepted, sign-out, and some
 * malformed requests carrying secrets — leaves no password, code or token in any log line or in
 * the audit table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  CSRF,
  JSON_CSRF,
  latestCode,
  PASSWORD,
  post,
  sessionCookie,
  signUp,
  type TestApp,
  verifyEmailAndFinish,
} from './support.js';

const WRONG_PASSWORD = 'a wrong but plausible passphrase';
const INVITED_PASSWORD = 'lantern orbit mosaic thistle';
const EMAIL = 'logging@example.com';

/** A code as a whole number, so digits inside timestamps or ids do not count as a match. */
const asWholeNumber = (code: string) => new RegExp(`(?<![0-9])${code}(?![0-9])`);

describe('secrets never reach the logs or the audit trail (S25)', () => {
  const lines: string[] = [];
  const secrets = new Map<string, string | RegExp>();
  let t: TestApp;

  beforeAll(async () => {
    t = await buildApp(
      { LOG_LEVEL: 'trace', ACCESS_LOG: 'all' },
      { logStream: { write: (line: string) => void lines.push(line) } },
    );
    const { app, clock } = t;

    // Sign-up, then a failed sign-in.
    await signUp(app, EMAIL);
    secrets.set('password', PASSWORD);
    const failed = await post(app, '/api/v1/sign-in', { email: EMAIL, password: WRONG_PASSWORD });
    expect(failed.statusCode).toBe(401);
    secrets.set('wrong password', WRONG_PASSWORD);

    // Sign-in: a flow and a first code.
    const start = await post(app, '/api/v1/sign-in', { email: EMAIL, password: PASSWORD });
    const flow = start.json<{ flow: { flow: string } }>().flow.flow;
    secrets.set('flow token', flow);
    const first = await latestCode(app, EMAIL);
    secrets.set('first code', asWholeNumber(first));

    // A wrong code, then a resend once the cooldown is over (which voids the first code).
    const wrongCode = first === '000000' ? '111111' : '000000';
    const wrong = await post(app, '/api/v1/sign-in/verify-email', { flow, code: wrongCode });
    expect(wrong.statusCode).toBe(400);
    clock.advance(31_000);
    const resent = await post(app, '/api/v1/sign-in/resend-code', { flow });
    expect(resent.statusCode).toBe(200);
    const second = await latestCode(app, EMAIL);
    expect(second).not.toBe(first);
    secrets.set('resent code', asWholeNumber(second));
    const flowAgain = await post(app, '/api/v1/sign-in/flow', { flow });
    expect(flowAgain.statusCode).toBe(200);

    // The right code: a session.
    const done = await verifyEmailAndFinish(app, { flow, code: second });
    const cookie = sessionCookie(done);
    expect(cookie).toBeDefined();
    secrets.set('session token', cookie!.token);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/session',
          headers: { cookie: cookie!.header },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/sessions',
          headers: { cookie: cookie!.header },
        })
      ).statusCode,
    ).toBe(200);

    // An invitation, opened as a page (token in the query string) and accepted through the API.
    const { link } = await app.services.accounts.invite({
      email: 'invited-logging@example.com',
      role: 'user',
      invitedBy: null,
      send: true,
    });
    const token = new URL(link).searchParams.get('token')!;
    secrets.set('invitation token', token);
    secrets.set('invitation token (URL-encoded)', encodeURIComponent(token));
    const page = await app.inject({
      method: 'GET',
      url: `/accept-invitation?token=${encodeURIComponent(token)}`,
    });
    expect(page.statusCode).toBe(200);
    expect((await post(app, '/api/v1/invitations/lookup', { token })).statusCode).toBe(200);
    expect(
      (await post(app, '/api/v1/invitations/accept', { token, password: INVITED_PASSWORD }))
        .statusCode,
    ).toBe(200);
    secrets.set('invited password', INVITED_PASSWORD);
    expect(
      (await post(app, '/api/v1/invitations/accept', { token, password: INVITED_PASSWORD }))
        .statusCode,
    ).toBe(404);

    // Malformed requests that carry secrets in what the server cannot parse or accept.
    await app.inject({
      method: 'POST',
      url: '/api/v1/sign-in',
      headers: JSON_CSRF,
      payload: `{"email":"${EMAIL}","password":"${PASSWORD}"`,
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/sign-in',
      headers: JSON_CSRF,
      payload: JSON.stringify({ email: PASSWORD, password: 5 }),
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/sign-in',
      headers: JSON_CSRF,
      payload: JSON.stringify({ email: EMAIL, password: PASSWORD, extra: 'x'.repeat(20_000) }),
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/sign-in',
      headers: { ...CSRF, 'content-type': 'text/plain' },
      payload: PASSWORD,
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/sign-in/verify-email',
      headers: JSON_CSRF,
      payload: `{"flow":"${flow}","code":"${second}",}`,
    });
    await app.inject({
      method: 'GET',
      url: `/api/v1/session`,
      headers: { cookie: `portcullis_session=${cookie!.token}x` },
    });

    // Sign-out.
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/sign-out',
      headers: { ...CSRF, cookie: cookie!.header },
    });
    expect(out.statusCode).toBe(204);
  });
  afterAll(() => t.app.close());

  it('logged the story at trace level (so the check below is not vacuous)', () => {
    expect(lines.length).toBeGreaterThan(30);
    const text = lines.join('');
    for (const url of [
      '/api/v1/sign-up',
      '/api/v1/sign-in',
      '/api/v1/sign-in/verify-email',
      '/api/v1/sign-in/resend-code',
      '/accept-invitation',
      '/api/v1/invitations/accept',
      '/api/v1/sign-out',
    ]) {
      expect(text).toContain(url);
    }
    // The invitation page's query string is cut from the logged URL.
    expect(text).toContain('/accept-invitation?[redacted]');
  });

  it('has no password, code, flow token, session token or invitation token in any log line', () => {
    const found: string[] = [];
    lines.forEach((line, i) => {
      for (const [name, secret] of secrets) {
        if (typeof secret === 'string' ? line.includes(secret) : secret.test(line))
          found.push(`line ${i} holds the ${name}: ${line.slice(0, 300)}`);
      }
    });
    expect(found).toEqual([]);
  });

  it('has no password, code or token in the audit table', async () => {
    const rows = await t.app.services.store.db.selectFrom('audit_events').selectAll().execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'account.signed_up',
        'sign_in.failed',
        'code.sent',
        'code.failed',
        'sign_in.succeeded',
        'account.invitation_accepted',
        'session.signed_out',
      ]),
    );
    const found: string[] = [];
    for (const row of rows) {
      const text = JSON.stringify(row);
      for (const [name, secret] of secrets) {
        if (typeof secret === 'string' ? text.includes(secret) : secret.test(text))
          found.push(`${row.action} holds the ${name}: ${text}`);
      }
    }
    expect(found).toEqual([]);
  });
});
