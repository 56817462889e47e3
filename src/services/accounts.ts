/**
 * Accounts, wired: sign-up, invitations and email verification (the account service), and the
 * account's recent security activity. The `accounts` table itself is built with the core.
 */
import { recentActivity, type ActivityEntry } from '../accounts/activity.js';
import { createAccountService, type AccountService } from '../accounts/accounts.js';
import type { Core } from './core.js';

export interface AccountWiring {
  accounts: AccountService;
  activity(accountId: string): Promise<ActivityEntry[]>;
}

export function wireAccounts(core: Core): AccountWiring {
  const { config, store } = core;
  const accounts = createAccountService({
    db: store.db,
    accounts: core.accountRepo,
    clock: core.clock,
    hasher: core.hasher,
    passwords: core.passwords,
    units: store.units,
    outbox: core.outbox,
    audit: core.audit,
    settings: {
      portalName: config.portalName,
      publicUrl: config.publicUrl,
      passwordMinLength: config.passwordMinLength,
      invitationValidityMs: config.invitationValidityMs,
    },
  });
  return { accounts, activity: (accountId) => recentActivity(store.db, accountId) };
}
