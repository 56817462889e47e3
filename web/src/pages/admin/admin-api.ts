/**
 * Every call the admin console makes, in one place, each typed by its route's schema in the
 * OpenAPI document (api-client.ts): a change to the admin API that the console does not follow
 * fails `npm run typecheck:web`.
 */
import { endpoint, type Answer, type Body } from '../../api-client';
import type { paths } from '../../api-schema';

const admin = '/api/v1/admin';

export type UserQuery = NonNullable<paths['/api/v1/admin/users']['get']['parameters']['query']>;
export type UserPage = Answer<'/api/v1/admin/users', 'get'>;
export type UserSummary = UserPage['users'][number];
export type UserState = NonNullable<UserQuery['state']>;
export type HeldFactor = NonNullable<UserQuery['holds']>;
export type UserDetail = Answer<'/api/v1/admin/users/{userId}', 'get'>;
export type PasskeySummary = UserDetail['factors']['passkeys'][number];
export type AuditQuery = NonNullable<
  paths['/api/v1/admin/audit-events']['get']['parameters']['query']
>;
/** The audit log's filters (the export takes the same). */
export type AuditFilters = Omit<AuditQuery, 'cursor' | 'limit'>;
export type AuditPage = Answer<'/api/v1/admin/audit-events', 'get'>;
export type AuditEvent = AuditPage['events'][number];
export type Organisation = Answer<'/api/v1/admin/organisations', 'get'>['organisations'][number];
/** The factors an administrator may reset (the factorReset list names them). */
export type ResettableFactor = Body<'/api/v1/admin/users/{userId}/factors/reset', 'post'>['factor'];

export type OidcClient = Answer<'/api/v1/admin/oidc/clients', 'get'>['clients'][number];
export type NewOidcClient = Body<'/api/v1/admin/oidc/clients', 'post'>;

/** The query without its empty fields (URLSearchParams would send `q=undefined`). */
function defined<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ''),
  ) as T;
}

/** An optional reason: sent when given (an empty body object otherwise). */
const withReason = (reason: string) => ({ body: reason.trim() ? { reason: reason.trim() } : {} });

export const adminApi = {
  users: endpoint('get', `${admin}/users`, (query: UserQuery = {}) => ({
    query: defined(query),
  })),
  user: endpoint('get', `${admin}/users/{userId}`, (userId: string) => ({ params: { userId } })),
  organisations: endpoint('get', `${admin}/organisations`),
  exemptFromMfa: endpoint(
    'post',
    `${admin}/users/{userId}/mfa-exemption`,
    (userId: string, reason: string, hours: number) => ({
      params: { userId },
      body: { reason: reason.trim(), hours },
    }),
  ),
  endExemption: endpoint('delete', `${admin}/users/{userId}/mfa-exemption`, (userId: string) => ({
    params: { userId },
  })),
  unlock: endpoint('post', `${admin}/users/{userId}/unlock`, (userId: string, reason: string) => ({
    params: { userId },
    ...withReason(reason),
  })),
  endSessions: endpoint(
    'post',
    `${admin}/users/{userId}/sessions/end`,
    (userId: string, reason: string) => ({ params: { userId }, ...withReason(reason) }),
  ),
  deactivate: endpoint(
    'post',
    `${admin}/users/{userId}/deactivate`,
    (userId: string, reason: string) => ({ params: { userId }, ...withReason(reason) }),
  ),
  reactivate: endpoint(
    'post',
    `${admin}/users/{userId}/reactivate`,
    (userId: string, reason: string) => ({ params: { userId }, ...withReason(reason) }),
  ),
  oidcClients: endpoint('get', `${admin}/oidc/clients`),
  registerOidcClient: endpoint('post', `${admin}/oidc/clients`, (client: NewOidcClient) => ({
    body: client,
  })),
  removeOidcClient: endpoint('delete', `${admin}/oidc/clients/{clientId}`, (clientId: string) => ({
    params: { clientId },
  })),
  auditEvents: endpoint('get', `${admin}/audit-events`, (query: AuditQuery = {}) => ({
    query: defined(query),
  })),

  /** A pending number the user confirms with a code at their next sign-in. */
  updatePhone: endpoint(
    'post',
    `${admin}/users/{userId}/phone`,
    (userId: string, phone: string, reason: string) => ({
      params: { userId },
      body: { phone: phone.trim(), reason: reason.trim() },
    }),
  ),
  resetFactor: endpoint(
    'post',
    `${admin}/users/{userId}/factors/reset`,
    (userId: string, factor: ResettableFactor, reason: string, passkeyId?: string) => ({
      params: { userId },
      body: { factor, ...(passkeyId ? { passkeyId } : {}), reason: reason.trim() },
    }),
  ),
  /** The usual "forgot your password" email, sent to the user. */
  sendPasswordReset: endpoint(
    'post',
    `${admin}/users/{userId}/password-reset`,
    (userId: string, reason: string) => ({ params: { userId }, ...withReason(reason) }),
  ),
  resendInvitation: endpoint(
    'post',
    `${admin}/users/{userId}/invitation/resend`,
    (userId: string) => ({ params: { userId } }),
  ),
  revokeInvitation: endpoint(
    'delete',
    `${admin}/users/{userId}/invitation`,
    (userId: string, reason: string) => ({ params: { userId }, ...withReason(reason) }),
  ),
  /** A member made their organisation's administrator, or a member again (deployment admins). */
  setRole: endpoint(
    'put',
    `${admin}/users/{userId}/role`,
    (userId: string, role: 'org_admin' | 'user', reason: string) => ({
      params: { userId },
      body: reason.trim() ? { role, reason: reason.trim() } : { role },
    }),
  ),
};

/** The audit log's export, as a link carrying the filters. */
export function auditExportHref(format: 'csv' | 'jsonl', filters: AuditFilters): string {
  const query = new URLSearchParams({ format, ...defined(filters) } as Record<string, string>);
  return `${admin}/audit-events/export?${query.toString()}`;
}
