/**
 * The admin API's service, wired: changes to the deployment policy and to organisations (whose
 * members get a stricter policy), with their audit events and notices. Texts count as available
 * when an SMS provider is set, or outside production (the development outbox).
 */
import { createAdminActions, type AdminActions } from '../admin/actions.js';
import { createFactorActions, type FactorActions } from '../admin/factor-actions.js';
import { searchUsers, type UserQuery } from '../admin/user-search.js';
import { createUsers, type Users } from '../admin/users.js';
import type { AdminScope } from '../admin/access.js';
import { createPolicyAdmin, type PolicyAdmin } from '../policy/admin.js';
import type { Core } from './core.js';
import type { FactorChecks } from './factors.js';

/** The admin console's users: finding them, one user's detail, and the actions on them. */
export interface AdminUsers extends Users {
  search(scope: AdminScope, query: UserQuery): ReturnType<typeof searchUsers>;
  actions: AdminActions;
  /** A pending phone, a factor reset, a new password asked for, an organisation admin made. */
  factorActions: FactorActions;
}

export function wireAdminUsers(core: Core, checks: FactorChecks): AdminUsers {
  const { store } = core;
  const users = createUsers({
    db: store.db,
    accounts: core.accountRepo,
    policies: core.policies,
    sessions: core.sessions,
    hasher: core.hasher,
  });
  return {
    ...users,
    search: (scope, query) => searchUsers(store.db, scope, query, core.clock.now()),
    actions: createAdminActions({
      accounts: core.accountRepo,
      audit: core.audit,
      units: store.units,
      clock: core.clock,
      policies: core.policies,
      sessions: core.sessions,
      throttle: core.throttle,
      hasher: core.hasher,
      notify: core.notify,
      portalName: core.config.portalName,
    }),
    factorActions: createFactorActions({
      accounts: core.accountRepo,
      phones: checks.phones,
      totps: checks.totps,
      passkeys: checks.passkeys,
      recoveryCodes: checks.recoveryCodes,
      audit: core.audit,
      units: store.units,
      clock: core.clock,
      policies: core.policies,
      phoneRules: core.config.phone,
      notify: core.notify,
      sessions: core.sessions,
      portalName: core.config.portalName,
      publicUrl: core.config.publicUrl.toString(),
    }),
  };
}

export function wireAdmin(core: Core): PolicyAdmin {
  const { config, store } = core;
  return createPolicyAdmin({
    db: store.db,
    units: store.units,
    accounts: core.accountRepo,
    clock: core.clock,
    audit: core.audit,
    policies: core.policies,
    configured: core.policy,
    textsAvailable: config.mode !== 'production' || config.sms.provider === 'twilio',
    portalName: config.portalName,
    notify: core.notify,
  });
}
