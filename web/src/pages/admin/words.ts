// The admin console's words for what the API names in codes: account states, roles, UTC times.

const states: Record<string, string> = {
  active: 'Active',
  disabled: 'Deactivated',
  invited: 'Invited',
};

export function stateWords(state: string): string {
  return states[state] ?? state;
}

const roles: Record<string, string> = {
  admin: 'Administrator',
  org_admin: 'Organisation administrator',
  user: 'User',
};

export function roleWords(role: string): string {
  return roles[role] ?? role;
}

/** Whether this role opens the admin console (a deployment's or an organisation's admin). */
export const isAdminRole = (role: string): boolean => role === 'admin' || role === 'org_admin';

/** "2026-12-03 14:05:09 UTC": the audit log's times, the same for every reader. */
export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time)
    ? '—'
    : `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
