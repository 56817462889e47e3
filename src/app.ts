/**
 * build(config) → a ready Fastify instance that never listens (tests use app.inject; server.ts
 * listens). Three sibling route contexts — public, signed-in, admin — each with its own guards.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import pino from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/load.js';
import type { Argon2Params } from './factors/password/hashing.js';
import type { Sender } from './delivery/sender.js';
import { requireAdmin, requireSession } from './http/auth.js';
import { compilersFactory } from './http/compilers.js';
import { registerErrorHandler, sendError, toAppError } from './http/error-handler.js';
import { lazyChildLogger, loggerOptions } from './http/logging.js';
import { createMetrics, registerRequestMetrics } from './http/metrics.js';
import { accessLog } from './http/access-log.js';
import { registerOidc } from './http/oidc.js';
import type { Backchannel } from './oidc/backchannel.js';
import { registerOpenApi } from './http/openapi.js';
import { defaultWebDist, registerPages } from './http/pages.js';
import { registerAccountRoutes } from './http/routes/account.js';
import { registerEmailVerifyRoutes } from './http/routes/account-email-verify.js';
import { registerAdminRoutes } from './http/routes/admin.js';
import { registerDevRoutes } from './http/routes/dev.js';
import { registerForwardAuthRoute } from './http/routes/forward-auth.js';
import { registerOpsRoutes } from './http/routes/ops.js';
import { registerSignInMinimumRoutes } from './http/routes/sign-in-minimum.js';
import { registerPasskeySignInRoutes } from './http/routes/passkey-sign-in.js';
import { registerPasskeyRoutes } from './http/routes/passkeys.js';
import { registerPasswordResetRoutes } from './http/routes/password-reset.js';
import { registerPublicRoutes } from './http/routes/public.js';
import { registerSecurityRoutes } from './http/routes/security.js';
import { registerSignedInRoutes } from './http/routes/signed-in.js';
import { registerRateLimits } from './http/rate-limit.js';
import { applySecurityHeaders, registerCsrf, registerSecurityHeaders } from './http/security.js';
import { cookiePolicy } from './http/session-cookie.js';
import { createServices, type Services } from './services.js';
import { openStore, type Store } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** Back-channel logout: `settled()` waits for the logout tokens sent so far. */
    backchannel: Backchannel;
  }
}

export interface BuildOptions {
  config: Config;
  clock?: Clock;
  /** Where logs go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** An already-open store (tests share one); opened from config otherwise. */
  store?: Store;
  argon2?: Argon2Params;
  senders?: Sender[];
  webDist?: string;
}

export async function build(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = pino(loggerOptions(config.logLevel), opts.logStream ?? pino.destination(1));
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: accessLog(config.accessLog),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: true,
        allErrors: false,
      },
    },
    return503OnClosing: true,
    schemaController: { compilersFactory },
    // Errors Fastify raises before routing (a malformed URL, an overlong parameter) skip the
    // hooks: answer them in the registry's shape with the security headers set here.
    frameworkErrors: (error, request, reply) => {
      applySecurityHeaders(request.url, reply, config.mode === 'production');
      void sendError(reply, toAppError(error));
    },
  });
  // JSON only (S7): other bodies get 415 UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');

  const store =
    opts.store ?? openStore(config.database, { timeoutMs: config.databaseTimeoutMs, log: app.log });
  await migrateToLatest(store);
  const metrics = createMetrics();
  const services = createServices(config, store, clock, {
    log: app.log,
    onSignInOutcome: metrics.signIn,
    outboxEvents: metrics.outbox,
    ...(opts.argon2 ? { argon2: opts.argon2 } : {}),
    ...(opts.senders ? { senders: opts.senders } : {}),
  });
  metrics.watchOutbox(() => services.outbox.stats());
  app.decorate('services', services);
  app.decorateRequest('auth', null);
  // Graceful shutdown: answers to requests still in flight close their connection, so the
  // server does not wait out keep-alive timeouts (idle connections are closed by Fastify).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', async () => {
    if (opts.store) return; // the owner of a shared store closes it
    await services.close();
  });

  const cookieRules = cookiePolicy(config.publicUrl, config.portals.cookieDomain);
  await app.register(cookie);
  registerErrorHandler(app, { strictErrors: config.strictErrors ?? false });
  registerSecurityHeaders(app, { production: config.mode === 'production' });
  registerCsrf(app, config.publicUrl.origin);
  registerRequestMetrics(app, metrics);
  await registerOpenApi(app, { publicUrl: config.publicUrl, portalName: config.portalName });

  // Per-IP limits (S33), asked for by the routes that name a group (`config.rateLimit`).
  await registerRateLimits(app, services);

  // Every route, in one place (STYLE §7).
  registerOpsRoutes(app, services, metrics.registry);
  await app.register(async (pub) => {
    registerPublicRoutes(pub, services, cookieRules);
    registerPasskeySignInRoutes(pub, services, cookieRules);
    registerSignInMinimumRoutes(pub, services, cookieRules);
    registerPasswordResetRoutes(pub, services);
    registerForwardAuthRoute(pub, services, cookieRules);
    if (services.devOutbox) registerDevRoutes(pub, services);
  });
  await app.register(async (user) => {
    user.addHook('preHandler', requireSession(services.sessions, cookieRules));
    registerSignedInRoutes(user, services, cookieRules);
    registerAccountRoutes(user, services);
    registerEmailVerifyRoutes(user, services);
    registerSecurityRoutes(user, services, cookieRules);
    registerPasskeyRoutes(user, services, cookieRules);
  });
  await app.register(async (admin) => {
    // Before validation: nobody learns an admin route's rules of input without access to it.
    admin.decorateRequest('adminScope', null);
    admin.decorateRequest('adminTarget', null);
    admin.addHook('preValidation', requireSession(services.sessions, cookieRules));
    admin.addHook('preValidation', requireAdmin);
    registerAdminRoutes(admin, services);
  });
  const backchannel = await registerOidc(app, {
    config,
    db: services.store.db,
    box: services.box,
    hasher: services.hasher,
    clock: services.clock,
    sessions: services.sessions,
    ownSessions: services.ownSessions,
    endings: services.sessionEndings,
    sessionCookie: cookieRules.name,
    log: app.log,
  });
  app.decorate('backchannel', backchannel);
  await registerPages(app, opts.webDist ?? defaultWebDist());
  await app.ready();
  return app;
}
