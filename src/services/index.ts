/**
 * Wires the services together from configuration, a store and a clock, one domain at a time:
 * the core (keys, policies, sessions, delivery), the factors, the flows, accounts and the admin
 * API. Nothing here touches HTTP; routes receive the finished services as `RouteServices`.
 */
import { createAuditConsole } from '../audit/console.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { createClientRegistry } from '../oidc/clients.js';
import { createOwnSessions } from '../sessions/own-sessions.js';
import type { Store } from '../store/dialect.js';
import { wireAccounts } from './accounts.js';
import { wireAdmin, wireAdminUsers } from './admin.js';
import { wireCore } from './core.js';
import { factorQueries, wireFactorChecks, wireFactorServices } from './factors.js';
import { flowDeps, wireFlowStore, wireFlows, wireStepUp } from './flows.js';
import type { Dependency, ServiceOptions, Services } from './types.js';

export type { Dependency, Logger, RouteServices, ServiceOptions, Services } from './types.js';

export function createServices(
  config: Config,
  store: Store,
  clock: Clock,
  options: ServiceOptions = {},
): Services {
  const core = wireCore(config, store, clock, options);
  const checks = wireFactorChecks(core);
  const flows = wireFlowStore(core);
  const deps = flowDeps(core, checks, flows);
  const stepUp = wireStepUp(deps);
  const factorServices = wireFactorServices(core, checks, flows, stepUp);
  const { accounts, activity } = wireAccounts(core);
  const { signIn, passwordReset, changePassword, changeEmail, verifyEmail } = wireFlows(
    core,
    checks,
    deps,
    stepUp,
    factorServices.recovery,
    options.onSignInOutcome,
  );
  const { redis } = core;
  const dependencies: Dependency[] = [{ name: 'database', ping: () => store.ping() }];
  if (redis) dependencies.push({ name: 'redis', ping: () => redis.ping() });

  return {
    config,
    policy: core.policy,
    policies: core.policies,
    policyAdmin: wireAdmin(core),
    adminUsers: wireAdminUsers(core, checks),
    store,
    clock,
    hasher: core.hasher,
    passwords: core.passwords,
    audit: core.audit,
    auditConsole: createAuditConsole(store.db),
    oidcClients: createClientRegistry({
      db: store.db,
      hasher: core.hasher,
      clock,
      audit: core.audit,
      units: store.units,
    }),
    delivery: core.delivery,
    codes: checks.codes,
    challenges: checks.challenges,
    throttle: core.throttle,
    sessions: core.sessions,
    sessionEndings: core.sessionEndings,
    ownSessions: createOwnSessions({
      sessions: core.sessions,
      audit: core.audit,
      units: store.units,
    }),
    accounts,
    accountRepo: core.accountRepo,
    signIn,
    stepUp,
    phones: checks.phones,
    phone: factorServices.phone,
    box: core.box,
    totps: checks.totps,
    totp: factorServices.totp,
    passkeys: checks.passkeys,
    passkey: factorServices.passkey,
    recovery: factorServices.recovery,
    passwordReset,
    changePassword,
    changeEmail,
    verifyEmail,
    outbox: core.outbox,
    counters: core.counters,
    redis,
    factors: factorQueries(core, checks),
    activity,
    dependencies,
    devOutbox: core.devOutbox,
    devMessages: core.devMessages,
    async close() {
      for (const close of core.closers) await close();
      await store.close();
    },
  };
}
