/**
 * A portal application signs in through Portcullis (issue 14), driven by a real relying party
 * (`openid-client`) over a real socket: authorization code with PKCE, the interaction being the
 * Portcullis session; the ID token's `acr`, `amr` and `sub` are the session's own, never more; a
 * request for more (`acr_values`) than the session reached is refused with
 * `unmet_authentication_requirements` and no token; signed out, the user is sent to the hosted
 * sign-in with a `return_to` back; `prompt=none` without a session answers `login_required`; a
 * code redeemed twice is refused; claims per scope; refresh tokens rotate and a reuse revokes the
 * grant; a revoked token introspects inactive. (The browser walk: test/browser/oidc-sign-in.)
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signedInClient } from '../helpers/client.js';
import {
  authorize as rpAuthorize,
  Jar,
  registeredClient,
  walk as rpWalk,
} from '../helpers/oidc-rp.js';
import { appCode, enrolTotp, stepUpByEmail } from '../helpers/totp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://portal.example/callback';
let server: TestServer;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer();
  ({ config } = await registeredClient(server.app, server.url, {
    redirectUris: [REDIRECT],
    scopes: ['openid', 'email', 'phone', 'profile', 'organisation', 'offline_access'],
    firstParty: true,
  }));
});
afterAll(() => server?.close());

const walk = (start: URL, jar: Jar) => rpWalk(server.url, start, jar);
const authorize = (jar: Jar, extra: Record<string, string> = {}) =>
  rpAuthorize(server.url, config, REDIRECT, jar, extra);

describe('a portal signs in through Portcullis (authorization code + PKCE)', () => {
  it('issues an ID token that tells the session as it is: sub, acr aal1, amr pwd', async () => {
    const user = await signedInClient(server.app, 'ann@clinic.org');
    const account = (await server.app.services.accounts.findByEmail('ann@clinic.org'))!;
    const jar = new Jar(user.cookie);
    const { landed, verifier, state, nonce } = await authorize(jar);
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      sub: account.id,
      acr: 'urn:portcullis:aal1',
      amr: ['pwd'],
    });
    expect(claims.sub).not.toContain('@');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, account.id);
    expect(info).toMatchObject({ email: 'ann@clinic.org', email_verified: true });

    // The same code again: refused.
    await expect(
      oidc.authorizationCodeGrant(config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    // …and what the first redemption issued is revoked with it (S27).
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: false,
    });
  });

  it('sends a session below acr_values through step-up, then issues aal2 with otp', async () => {
    const user = await signedInClient(server.app, 'ben@clinic.org');
    await stepUpByEmail(user, 'ben@clinic.org');
    const key = await enrolTotp(user, server.clock); // the session itself stays aal1
    const jar = new Jar(user.cookie);
    const asked = await authorize(jar, { acr_values: 'urn:portcullis:aal2' });
    expect(asked.landed.pathname).toBe('/sign-in/step-up');
    expect(asked.landed.searchParams.get('acr')).toBe('urn:portcullis:aal2');
    const back = asked.landed.searchParams.get('return_to')!;
    expect(back).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
    // Back without raising the session: the step-up again, never a code.
    expect((await walk(new URL(back, server.url), jar)).pathname).toBe('/sign-in/step-up');

    // The hosted step-up page's calls: verify with the authenticator app.
    const started = await user.post('/api/v1/step-up/start', { channel: 'totp' });
    const verified = await user.post('/api/v1/step-up/verify', {
      flow: started.json().flow.flow,
      code: appCode(key, server.clock.now()),
    });
    expect(verified.statusCode).toBe(200);
    jar.put(user.cookie!);
    const landed = await walk(new URL(back, server.url), jar);
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: asked.verifier,
      expectedState: asked.state,
      expectedNonce: asked.nonce,
    });
    const claims = tokens.claims()!;
    // Every method the session recorded: the email code of the step-up that allowed the
    // enrolment (never a factor, S9), then the authenticator app.
    expect(claims).toMatchObject({
      acr: 'urn:portcullis:aal2',
      amr: ['pwd', 'email', 'otp', 'mfa'],
    });
    expect(claims.auth_time).toBe(Math.floor(server.clock.now() / 1000));
  });

  it('answers access_denied, and no token, when the step-up is cancelled', async () => {
    const user = await signedInClient(server.app, 'bea@clinic.org');
    const jar = new Jar(user.cookie);
    const asked = await authorize(jar, { acr_values: 'urn:portcullis:aal2' });
    expect(asked.landed.pathname).toBe('/sign-in/step-up');
    const back = asked.landed.searchParams.get('return_to')!;
    const landed = await walk(new URL(`${back}?abort=1`, server.url), jar);
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('code')).toBeNull();
  });

  it('answers prompt=none below acr_values with unmet_authentication_requirements', async () => {
    const user = await signedInClient(server.app, 'bob@clinic.org');
    const jar = new Jar(user.cookie);
    await authorize(jar); // the provider's session, at aal1
    const { landed } = await authorize(jar, {
      acr_values: 'urn:portcullis:aal2',
      prompt: 'none',
    });
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(landed.searchParams.get('code')).toBeNull();
  });

  it('sends a user back to the password for max_age=0 and prompt=login, and then issues a code', async () => {
    const asks: Record<string, string>[] = [{ max_age: '0' }, { prompt: 'login' }];
    for (const extra of asks) {
      const user = await signedInClient(server.app, `fay-${Object.keys(extra)[0]}@clinic.org`);
      const jar = new Jar(user.cookie);
      const asked = await authorize(jar, extra);
      expect(asked.landed.pathname).toBe('/sign-in');
      const back = asked.landed.searchParams.get('return_to')!;
      expect(back).toMatch(/^\/oidc\/interaction\/[\w-]+\?after=\d+&mark=[0-9a-f]+$/);
      // Back without signing in again: the sign-in once more, never a code — nor with the time
      // in the address edited to before the old sign-in.
      expect((await walk(new URL(back, server.url), jar)).pathname).toBe('/sign-in');
      const edited = back.replace(/after=\d+/, 'after=0');
      expect((await walk(new URL(edited, server.url), jar)).pathname).toBe('/sign-in');

      server.clock.advance(1_000);
      const again = await user.post('/api/v1/sign-in', {
        email: `fay-${Object.keys(extra)[0]}@clinic.org`,
        password: PASSWORD,
      });
      expect(again.json().status).toBe('signed_in');
      jar.put(user.cookie!);
      const landed = await walk(new URL(back, server.url), jar);
      expect(landed.origin + landed.pathname).toBe(REDIRECT);
      const tokens = await oidc.authorizationCodeGrant(config, landed, {
        pkceCodeVerifier: asked.verifier,
        expectedState: asked.state,
        expectedNonce: asked.nonce,
      });
      expect(tokens.claims()!.auth_time).toBe(Math.floor(server.clock.now() / 1000));
    }
  });

  it('sends a signed-out user to the hosted sign-in, with the way back', async () => {
    const { landed } = await authorize(new Jar());
    expect(landed.pathname).toBe('/sign-in');
    expect(landed.searchParams.get('return_to')).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
  });

  it('answers prompt=none without a session with login_required, and no page', async () => {
    const { landed } = await authorize(new Jar(), { prompt: 'none' });
    expect(landed.origin + landed.pathname).toBe(REDIRECT);
    expect(landed.searchParams.get('error')).toBe('login_required');
  });

  it('answers prompt=none with a session with a code', async () => {
    const user = await signedInClient(server.app, 'cat@clinic.org');
    const jar = new Jar(user.cookie);
    await authorize(jar); // the first sign-in to the portal makes the provider's session
    const { landed } = await authorize(jar, { prompt: 'none' });
    expect(landed.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('tells only the claims of the scopes asked for: a confirmed phone, the organisation', async () => {
    const user = await signedInClient(server.app, 'dee@clinic.org');
    const account = (await server.app.services.accounts.findByEmail('dee@clinic.org'))!;
    const { db } = server.app.services.store;
    const now = Date.now();
    await db
      .insertInto('organisations')
      .values({
        id: 'orgNorth',
        name: 'North Clinic',
        policy: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .updateTable('accounts')
      .set({ organisation_id: 'orgNorth', display_name: 'Dee Okafor' })
      .where('id', '=', account.id)
      .execute();
    await server.app.services.phones.save(
      account.id,
      { e164: '+14155552671', country: 'US', kind: 'mobile' },
      now,
    );
    const { landed, verifier, state, nonce } = await authorize(new Jar(user.cookie), {
      scope: 'openid phone organisation',
    });
    const tokens = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, account.id);
    expect(info).toMatchObject({
      phone_number: '+14155552671',
      phone_number_verified: true,
      org_id: 'orgNorth',
      org_name: 'North Clinic',
      role: 'user',
    });
    expect(info.email).toBeUndefined();
    expect(info.name).toBeUndefined();
  });

  it('rotates refresh tokens, and revokes the grant when a used one comes back', async () => {
    const user = await signedInClient(server.app, 'eli@clinic.org');
    const { landed, verifier, state, nonce } = await authorize(new Jar(user.cookie), {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const first = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(first.refresh_token).toEqual(expect.any(String));
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    // The first one again: a reuse. Refused, and the grant goes with the newer token too.
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('lets a resource server introspect a token (not revoke it), and see it inactive once revoked', async () => {
    const user = await signedInClient(server.app, 'fay@clinic.org');
    const { landed, verifier, state, nonce } = await authorize(new Jar(user.cookie));
    const tokens = await oidc.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
    });

    // Another confidential client (a resource server) may introspect it, never revoke it; a
    // public client, which cannot prove who it is, learns nothing of a token not its own.
    const { config: resourceServer } = await registeredClient(server.app, server.url, {
      name: 'Claims API',
      redirectUris: ['https://api.example/unused'],
    });
    expect(await oidc.tokenIntrospection(resourceServer, tokens.access_token)).toMatchObject({
      active: true,
      sub: expect.any(String),
    });
    await expect(oidc.tokenRevocation(resourceServer, tokens.access_token)).rejects.toMatchObject({
      error: 'invalid_request',
    });
    const spa = await registeredClient(server.app, server.url, {
      name: 'Scheduling app',
      kind: 'public',
      redirectUris: ['https://spa.example/cb'],
    });
    const publicConfig = await oidc.discovery(
      new URL(server.url),
      spa.clientId,
      undefined,
      oidc.None(),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect(await oidc.tokenIntrospection(publicConfig, tokens.access_token)).toEqual({
      active: false,
    });

    await oidc.tokenRevocation(config, tokens.access_token);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: false,
    });
  });
});
