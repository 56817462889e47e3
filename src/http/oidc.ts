/**
 * The OpenID Connect provider mounted in Fastify: discovery at `/.well-known/openid-configuration`
 * and the protocol endpoints under `/oidc/` are handed, body unread, to `oidc-provider`'s own
 * handler. The provider is made at the first such request (its signing keys with it), so an app
 * that never serves OpenID Connect pays nothing for it; it is made again when the published keys
 * change (a rotation by any process, a key starting to sign, one retired past its time), which
 * every process notices within `KEY_CHECK_MS` without a restart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from 'oidc-provider';
import { AppError } from '../errors/app-error.js';
import { sendErrorPage } from '../oidc/provider-pages.js';
import { handleInteraction } from '../oidc/interaction.js';
import { registerOidcConsentRoutes } from './oidc-consent.js';
import { ipLimit } from './rate-limit.js';
import { createBackchannel, type Backchannel, type BackchannelDeps } from '../oidc/backchannel.js';
import type { SessionEndings } from '../sessions/endings.js';
import { createOidcProvider, OIDC_PREFIX, signingKeysOf, type OidcDeps } from '../oidc/provider.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** Whether a request is for the provider's protocol endpoints (client-authenticated, not CSRF's). */
export const isOidcProtocolRequest = (url: string): boolean =>
  url === DISCOVERY_PATH ||
  url.startsWith(`${DISCOVERY_PATH}?`) ||
  (url.startsWith(`${OIDC_PREFIX}/`) && !url.startsWith(`${OIDC_PREFIX}/interaction/`));

/** How often a process compares the published keys with the ones its provider holds. */
export const KEY_CHECK_MS = 60_000;

/** The provider, made at first use and again whenever the published signing keys change. */
function providerOf(deps: OidcDeps): () => Promise<Provider> {
  const keys = signingKeysOf(deps);
  type Held = { provider: Provider; layout: string };
  let made: Promise<Held> | undefined;
  let checkedAt = 0;
  const make = async () => {
    const before = await keys.layout();
    const provider = await createOidcProvider(deps);
    // Keys that changed while it was made: it is made again at the next check.
    const after = await keys.layout();
    return { provider, layout: before === after ? after : '' };
  };
  const fresh = async (current: Promise<Held>) => {
    const held = await current;
    if (deps.clock.now() - checkedAt < KEY_CHECK_MS) return held.provider;
    checkedAt = deps.clock.now();
    // The database unreachable, or the new provider not made: the one held serves meanwhile.
    const layout = await keys.layout().catch(() => held.layout);
    if (layout === held.layout) return held.provider;
    made = make().catch(() => held);
    return (await made).provider;
  };
  return async () => {
    if (!made) {
      checkedAt = deps.clock.now();
      made = make().catch((err: unknown) => {
        made = undefined; // the next request tries again (the database may be back)
        throw err;
      });
    }
    return fresh(made);
  };
}

export type OidcRouteDeps = Omit<OidcDeps, 'backchannel'> &
  Pick<BackchannelDeps, 'ownSessions'> & { endings: SessionEndings };

export async function registerOidc(
  app: FastifyInstance,
  routeDeps: OidcRouteDeps,
): Promise<Backchannel> {
  const backchannel = createBackchannel({ ...routeDeps, provider: () => made() });
  const deps: OidcDeps = { ...routeDeps, backchannel };
  const made = providerOf(deps);
  routeDeps.endings.listen((accountId) => backchannel.tell(accountId));
  app.addHook('onClose', () => backchannel.settled());
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // Every interaction address is Portcullis's own: one not matched (an id too long) is ours too.
    if (request.url.startsWith(`${OIDC_PREFIX}/interaction/`)) throw new AppError('NOT_FOUND');
    const callback = (await made()).callback();
    reply.hijack();
    callback(request.raw, reply.raw);
  };
  const interactionDeps = { ...deps, now: () => deps.clock.now() };
  registerOidcConsentRoutes(app, made, interactionDeps);
  const interaction = async (request: FastifyRequest, reply: FastifyReply) => {
    const oidc = await made();
    reply.hijack();
    await handleInteraction(oidc, interactionDeps, request.raw, reply.raw).catch((err: unknown) => {
      request.log.warn({ err }, 'OpenID Connect interaction failed');
      sendErrorPage(reply.raw, 400, {
        error: 'invalid_request',
        description:
          'This sign-in link has expired or is not valid. Start again from the application.',
      });
    });
  };
  await app.register(async (oidc) => {
    // The provider reads its own bodies (form posts to the token endpoint, JSON nowhere).
    oidc.removeAllContentTypeParsers();
    oidc.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const methods = ['GET', 'POST'] as const;
    oidc.route({ method: [...methods], url: DISCOVERY_PATH, schema: { hide: true }, handler });
    oidc.route({ method: [...methods], url: `${OIDC_PREFIX}/*`, schema: { hide: true }, handler });
    oidc.get(`${OIDC_PREFIX}/interaction/:uid`, { schema: { hide: true } }, interaction);
    // Codes redeemed and refresh tokens used: limited per client IP (S33), like every secret.
    const tokenLimit = { rateLimit: ipLimit(deps.config, 'token') };
    oidc.post(`${OIDC_PREFIX}/token`, { schema: { hide: true }, config: tokenLimit }, handler);
  });
  return backchannel;
}
