/**
 * Back-channel logout (issue 14): a portal signed in through Portcullis is told when the user's
 * Portcullis session ends — the user signs out, an administrator ends their sessions, deactivates
 * them or resets a factor, or the portal itself asks (RP-initiated logout, which ends the
 * Portcullis session too). The relying party here is a real HTTP server on 127.0.0.1 that verifies
 * each logout token against the published keys (signature, issuer, audience, `sub`, `sid`, the
 * event, no `nonce`); the tokens the grant issued stop introspecting active. A client without a
 * back-channel URI is told nothing; one that fails is logged and never holds the sign-out up; one
 * on a private address is not posted to unless OIDC_BACKCHANNEL_PRIVATE_NETWORKS says so.
 */
import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminAtAal2, type AdminClient } from '../helpers/admin.js';
import { Client, finishSignIn, PASSWORD, signedInClient } from '../helpers/client.js';
import { authorize, Jar, registeredClient } from '../helpers/oidc-rp.js';
import { enrolTotp, stepUpByEmail } from '../helpers/totp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const REDIRECT = 'https://portal.example/callback';
const SIGNED_OUT = 'https://portal.example/signed-out';

/** A relying party's back-channel endpoint: what it was sent, and whether it answers 200. */
class LogoutReceiver {
  readonly tokens: string[] = [];
  answer = 200;
  private server?: Server;
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) this.tokens.push(token);
        res.writeHead(this.answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/backchannel-logout`;
  }
  close() {
    return new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

let server: TestServer;
let admin: AdminClient;
const portal = new LogoutReceiver();
const other = new LogoutReceiver();
let withLogout: Awaited<ReturnType<typeof registeredClient>>;
let otherPortal: Awaited<ReturnType<typeof registeredClient>>;
let noLogout: Awaited<ReturnType<typeof registeredClient>>;

beforeAll(async () => {
  server = await startTestServer();
  await portal.start();
  await other.start();
  const client = (uri: string | null) =>
    registeredClient(server.app, server.url, {
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [SIGNED_OUT],
      firstParty: true,
      ...(uri ? { backchannelLogoutUri: uri } : {}),
    });
  withLogout = await client(portal.url);
  otherPortal = await client(other.url);
  noLogout = await client(null);
  admin = await adminAtAal2(server.app, 'helpdesk@clinic.org');
});
afterAll(async () => {
  await server?.close();
  await portal.close();
  await other.close();
});
beforeEach(() => {
  portal.tokens.length = 0;
  other.tokens.length = 0;
  portal.answer = 200;
});

/** The user signs in to a portal through Portcullis: its tokens and the ID token's claims. */
async function signInTo(rp: typeof withLogout, jar: Jar) {
  const { landed, verifier, state, nonce } = await authorize(server.url, rp.config, REDIRECT, jar);
  const tokens = await oidc.authorizationCodeGrant(rp.config, landed, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, claims: tokens.claims()! };
}

/** What a relying party checks of a logout token (Back-Channel Logout 1.0, section 2.6). */
async function verified(token: string, audience: string): Promise<JWTPayload> {
  const keys = createRemoteJWKSet(new URL('/oidc/jwks', server.url));
  const { payload } = await jwtVerify(token, keys, {
    issuer: new URL(server.url).origin,
    audience,
    typ: 'logout+jwt',
  });
  expect(payload.events).toEqual({ [EVENT]: {} });
  expect(payload).not.toHaveProperty('nonce');
  expect(payload.jti).toEqual(expect.any(String));
  return payload;
}

async function accountId(email: string) {
  return (await server.app.services.accounts.findByEmail(email))!.id;
}

/** The administrator's step-up, fresh now (the actions that lower protection need one). */
async function freshStepUp() {
  await server.app.services.store.db
    .updateTable('sessions')
    .set({ step_up_at: server.clock.now() })
    .where('account_id', '=', admin.id)
    .execute();
}

async function active(rp: typeof withLogout, token: string) {
  return (await oidc.tokenIntrospection(rp.config, token)).active;
}

describe('back-channel logout', () => {
  it('tells the portal when the user signs out, with a token it can verify; its tokens stop', async () => {
    const user = await signedInClient(server.app, 'ann@clinic.org');
    const jar = new Jar(user.cookie);
    const { tokens, claims } = await signInTo(withLogout, jar);
    await signInTo(noLogout, jar);
    expect(claims.sid).toEqual(expect.any(String));
    expect(withLogout.config.serverMetadata()).toMatchObject({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });

    expect((await user.post('/api/v1/sign-out')).statusCode).toBe(204);
    await server.app.backchannel.settled();

    expect(portal.tokens).toHaveLength(1);
    const logout = await verified(portal.tokens[0]!, withLogout.clientId);
    expect(logout).toMatchObject({ sub: await accountId('ann@clinic.org'), sid: claims.sid });
    expect(await active(withLogout, tokens.access_token)).toBe(false);
    // Told once: another ending of nothing tells nobody again.
    server.app.backchannel.tell(await accountId('ann@clinic.org'));
    await server.app.backchannel.settled();
    expect(portal.tokens).toHaveLength(1);

    // Signed in again on the same browser (the provider's cookie still held): a new grant.
    const back = new Client(server.app);
    const signIn = { email: 'ann@clinic.org', password: PASSWORD };
    await finishSignIn(back, await back.post('/api/v1/sign-in', signIn), signIn.email);
    jar.put(back.cookie!);
    const again = await signInTo(withLogout, jar);
    expect(await active(withLogout, again.tokens.access_token)).toBe(true);
  });

  it('tells only the portals of the session that ended ("sign out other sessions")', async () => {
    const here = await signedInClient(server.app, 'ben@clinic.org');
    const { tokens } = await signInTo(withLogout, new Jar(here.cookie));
    const elsewhere = new Client(server.app);
    const signIn = { email: 'ben@clinic.org', password: PASSWORD };
    await finishSignIn(elsewhere, await elsewhere.post('/api/v1/sign-in', signIn), signIn.email);
    const second = await signInTo(withLogout, new Jar(elsewhere.cookie));

    expect((await here.post('/api/v1/sessions/end-others')).statusCode).toBeLessThan(300);
    await server.app.backchannel.settled();
    expect(portal.tokens).toHaveLength(1);
    expect(await verified(portal.tokens[0]!, withLogout.clientId)).toMatchObject({
      sid: second.claims.sid,
    });
    expect(await active(withLogout, tokens.access_token)).toBe(true);
    expect(await active(withLogout, second.tokens.access_token)).toBe(false);
  });

  it('tells every portal when an administrator deactivates the user or ends their sessions', async () => {
    const user = await signedInClient(server.app, 'cat@clinic.org');
    const jar = new Jar(user.cookie);
    await signInTo(withLogout, jar);
    await signInTo(otherPortal, jar);
    const id = await accountId('cat@clinic.org');
    await freshStepUp();
    const off = await admin.c.post(`/api/v1/admin/users/${id}/deactivate`, { reason: 'left' });
    expect(off.statusCode).toBe(204);
    await server.app.backchannel.settled();
    expect(await verified(portal.tokens[0]!, withLogout.clientId)).toMatchObject({ sub: id });
    expect(await verified(other.tokens[0]!, otherPortal.clientId)).toMatchObject({ sub: id });

    const again = await signedInClient(server.app, 'dan@clinic.org');
    await signInTo(withLogout, new Jar(again.cookie));
    const dan = await accountId('dan@clinic.org');
    await freshStepUp();
    const ended = await admin.c.post(`/api/v1/admin/users/${dan}/sessions/end`, { reason: 'x' });
    expect(ended.statusCode).toBeLessThan(300);
    await server.app.backchannel.settled();
    expect(await verified(portal.tokens[1]!, withLogout.clientId)).toMatchObject({ sub: dan });
  });

  it('tells the portal when an administrator resets a factor (the sessions end with it)', async () => {
    const user = await signedInClient(server.app, 'eve@clinic.org');
    await stepUpByEmail(user, 'eve@clinic.org');
    await enrolTotp(user, server.clock);
    await signInTo(withLogout, new Jar(user.cookie));
    const id = await accountId('eve@clinic.org');
    await freshStepUp();
    const reset = await admin.c.post(`/api/v1/admin/users/${id}/factors/reset`, {
      factor: 'totp',
      reason: 'Ticket 4715: new phone, app lost',
    });
    expect(reset.statusCode).toBe(204);
    await server.app.backchannel.settled();
    expect(await verified(portal.tokens[0]!, withLogout.clientId)).toMatchObject({ sub: id });
    expect((await user.get('/api/v1/session')).statusCode).toBe(401);
  });

  it('ends the Portcullis session on RP-initiated logout and tells the other portals', async () => {
    const user = await signedInClient(server.app, 'fay@clinic.org');
    const jar = new Jar(user.cookie);
    const { tokens } = await signInTo(withLogout, jar);
    await signInTo(otherPortal, jar);
    const asked = oidc.buildEndSessionUrl(withLogout.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: SIGNED_OUT,
    });
    const page = await fetch(asked, { headers: { cookie: jar.header } });
    jar.absorb(page);
    const html = await page.text();
    expect(html).toContain('Yes, sign out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const confirmed = await fetch(new URL('/oidc/session/end/confirm', server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(SIGNED_OUT);
    await server.app.backchannel.settled();

    expect((await user.get('/api/v1/session')).statusCode).toBe(401);
    expect(portal.tokens).toHaveLength(1);
    expect(other.tokens).toHaveLength(1);
    await verified(other.tokens[0]!, otherPortal.clientId);
  });

  it('sends one token when several processes hear of the same ending at once', async () => {
    const user = await signedInClient(server.app, 'hal@clinic.org');
    await signInTo(withLogout, new Jar(user.cookie));
    const id = await accountId('hal@clinic.org');
    await server.app.services.sessions.endAll(id);
    for (let i = 0; i < 5; i++) server.app.backchannel.tell(id);
    await server.app.backchannel.settled();
    expect(portal.tokens).toHaveLength(1);
  });

  it('logs a portal that does not answer, and the sign-out still succeeds', async () => {
    portal.answer = 500;
    const user = await signedInClient(server.app, 'gus@clinic.org');
    await signInTo(withLogout, new Jar(user.cookie));
    expect((await user.post('/api/v1/sign-out')).statusCode).toBe(204);
    await server.app.backchannel.settled();
    expect(portal.tokens).toHaveLength(1);
    expect(
      await server.app.services.store.db.selectFrom('oidc_logins').selectAll().execute(),
    ).not.toContainEqual(
      expect.objectContaining({ account_id: await accountId('gus@clinic.org') }),
    );
  });
});

describe('back-channel logout to a private address, by default', () => {
  it('is refused by the provider’s guard against request forgery; the tokens still stop', async () => {
    const guarded = await startTestServer({ env: { OIDC_BACKCHANNEL_PRIVATE_NETWORKS: 'false' } });
    const receiver = new LogoutReceiver();
    await receiver.start();
    try {
      const rp = await registeredClient(guarded.app, guarded.url, {
        redirectUris: [REDIRECT],
        firstParty: true,
        backchannelLogoutUri: receiver.url,
      });
      const user = await signedInClient(guarded.app, 'ivy@clinic.org');
      const { landed, verifier, state, nonce } = await authorize(
        guarded.url,
        rp.config,
        REDIRECT,
        new Jar(user.cookie),
      );
      const tokens = await oidc.authorizationCodeGrant(rp.config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      expect((await user.post('/api/v1/sign-out')).statusCode).toBe(204);
      await guarded.app.backchannel.settled();
      expect(receiver.tokens).toEqual([]); // 127.0.0.1 is never posted to
      expect((await oidc.tokenIntrospection(rp.config, tokens.access_token)).active).toBe(false);
    } finally {
      await guarded.close();
      await receiver.close();
    }
  });
});
