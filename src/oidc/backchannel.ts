/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0). A client given a code is recorded
 * against the Portcullis session that signed in (`oidc_logins`: its `sid`, its grant). When that
 * session ends before its time — signed out, ended by the user or an administrator, a
 * deactivation, a new password, an administrator's factor reset, RP-initiated logout — every
 * token of the grant is revoked and each client with a back-channel URI is sent a logout token,
 * by one process only (the record is claimed by a DELETE). A client that does not answer 200 is
 * logged; the ending itself never waits for or fails on it.
 */
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { OwnSessions } from '../sessions/own-sessions.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Db } from '../store/schema.js';
import { revokeGrant } from './adapter.js';
import { portcullisSessionOf, type CookieReader } from './session-check.js';

type SendLogoutToken = (sub: string, sid: string) => Promise<void>;
const senders = new WeakMap<
  Provider,
  (clientId: string, sub: string, sid: string) => Promise<void>
>();

/**
 * Takes the logout token out of the provider's own hands: its end_session would tell only the
 * clients of its own session, and Portcullis tells them on every ending, once, from here.
 */
export function takeOverLogoutTokens(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as { backchannelLogout: SendLogoutToken };
  const send = prototype.backchannelLogout;
  prototype.backchannelLogout = async () => undefined;
  senders.set(provider, async (clientId, sub, sid) => {
    const client = await provider.Client.find(clientId);
    if (client?.backchannelLogoutUri) await send.call(client, sub, sid);
  });
}

export interface BackchannelDeps {
  db: Db;
  clock: Clock;
  sessions: SessionService;
  ownSessions: OwnSessions;
  sessionCookie: string;
  provider: () => Promise<Provider>;
  log: { warn(obj: object, msg: string): void };
}

export interface Backchannel {
  /** Koa middleware for the provider: records logins, and ends the session on RP logout. */
  middleware(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void>;
  /** The account's sessions that ended: their grants revoked, their clients told. */
  tell(accountId: string): void;
  /** Resolves once every logout started so far has been sent or has failed. */
  settled(): Promise<void>;
}

const cookiesOf =
  (ctx: KoaContextWithOIDC): CookieReader =>
  (name) =>
    ctx.cookies.get(name, { signed: false });

export function createBackchannel(d: BackchannelDeps): Backchannel {
  const pending = new Set<Promise<void>>();

  /** The client was given a code in the Portcullis session the browser holds: record it. */
  async function recordLogin(ctx: KoaContextWithOIDC): Promise<void> {
    const { session, client } = ctx.oidc;
    const sid = client && session?.sidFor(client.clientId);
    if (!client || !session?.accountId || !sid) return;
    const auth = await portcullisSessionOf(d, cookiesOf(ctx));
    if (!auth || auth.account.id !== session.accountId) return;
    const grantId = session.grantIdFor(client.clientId) ?? null;
    await d.db
      .insertInto('oidc_logins')
      .values({
        session_id: auth.session.id,
        client_id: client.clientId,
        account_id: auth.account.id,
        sid,
        grant_id: grantId,
        created_at: d.clock.now(),
        expires_at: auth.session.expires_at,
      })
      .onConflict((oc) =>
        oc.columns(['session_id', 'client_id']).doUpdateSet({ sid, grant_id: grantId }),
      )
      .execute();
  }

  /**
   * "Yes, sign out" on the provider's logout page ends the Portcullis session too, when it is the
   * same account's (the provider also logs a browser out this way when another user signs in on
   * it: that user's session stays).
   */
  async function endOnLogout(ctx: KoaContextWithOIDC): Promise<void> {
    const session = ctx.oidc.session as
      (typeof ctx.oidc.session & { destroyed?: boolean }) | undefined;
    if (!session?.destroyed || !session.accountId) return;
    const auth = await portcullisSessionOf(d, cookiesOf(ctx));
    if (!auth || auth.account.id !== session.accountId) return;
    await d.ownSessions.signOut(auth.account.id, auth.session.id, {
      ip: ctx.ip || null,
      userAgent: ctx.get('user-agent') || null,
    });
  }

  async function tellNow(accountId: string): Promise<void> {
    const ended = await d.db
      .selectFrom('oidc_logins')
      .leftJoin('sessions', 'sessions.id', 'oidc_logins.session_id')
      .select([
        'oidc_logins.session_id',
        'oidc_logins.client_id',
        'oidc_logins.sid',
        'oidc_logins.grant_id',
      ])
      .where('oidc_logins.account_id', '=', accountId)
      .where('sessions.id', 'is', null)
      .execute();
    await Promise.all(
      ended.map(async (login) => {
        const claimed = await d.db
          .deleteFrom('oidc_logins')
          .where('session_id', '=', login.session_id)
          .where('client_id', '=', login.client_id)
          .executeTakeFirst();
        if (Number(claimed.numDeletedRows) !== 1) return; // another process tells this one
        if (login.grant_id) await revokeGrant(d.db, login.grant_id);
        const provider = await d.provider();
        await senders
          .get(provider)?.(login.client_id, accountId, login.sid)
          .catch((err: unknown) => failed(accountId, err, login.client_id));
      }),
    );
  }

  function failed(accountId: string, err: unknown, clientId?: string): void {
    d.log.warn(
      { accountId, clientId, err: err instanceof Error ? err.message : String(err) },
      'back-channel logout not delivered',
    );
  }

  return {
    async middleware(ctx, next) {
      await next();
      const route = ctx.oidc?.route;
      if ((route === 'authorization' || route === 'resume') && ctx.oidc.entities.AuthorizationCode)
        await recordLogin(ctx);
      else if (route === 'end_session_confirm') await endOnLogout(ctx);
    },

    tell(accountId) {
      const told = tellNow(accountId).catch((err: unknown) => failed(accountId, err));
      pending.add(told);
      void told.finally(() => pending.delete(told));
    },

    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
