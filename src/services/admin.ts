/**
 * The admin API's service, wired: changes to the deployment policy and to organisations (whose
 * members get a stricter policy), with their audit events and notices. Texts count as available
 * when an SMS provider is set, or outside production (the development outbox).
 */
import { createPolicyAdmin, type PolicyAdmin } from '../policy/admin.js';
import type { Core } from './core.js';

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
