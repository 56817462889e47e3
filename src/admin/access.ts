/**
 * Who may call an admin route, declared once on the route (`x-portcullis-access` in its schema,
 * so the OpenAPI document says it too and the authorisation test reads it from there): the whole
 * deployment's administrators only, or organisation administrators too (within their own
 * organisation), and whether the action needs a fresh step-up (S20).
 */
import type { ErrorCode } from '../errors/codes.js';

export const ACCESS_KEY = 'x-portcullis-access';

export interface AdminAccess {
  /** `deployment`: administrators only; `organisation`: organisation administrators too. */
  scope: 'deployment' | 'organisation';
  /** Lowers a user's protection or changes where codes go: a fresh step-up first. */
  stepUp: boolean;
}

/** What the acting administrator may reach: the whole deployment (null) or one organisation. */
export interface AdminScope {
  organisationId: string | null;
}

/** The route schema's part: `{ ...declareAccess(a), response: { ...errors(...accessErrors(a)) } }`. */
export function declareAccess(access: AdminAccess): { [ACCESS_KEY]: AdminAccess } {
  return { [ACCESS_KEY]: access };
}

/** The codes the guard may answer for a route so declared. */
export function accessErrors(access: AdminAccess): ErrorCode[] {
  const codes: ErrorCode[] = ['UNAUTHENTICATED', 'ADMIN_REQUIRED', 'AAL2_REQUIRED'];
  if (access.scope === 'deployment') codes.push('DEPLOYMENT_ADMIN_REQUIRED');
  if (access.stepUp) codes.push('STEP_UP_REQUIRED');
  return codes;
}

/** The declaration a route carries; undefined: none (the guard then refuses: fail closed). */
export function accessOf(schema: unknown): AdminAccess | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  return (schema as Record<string, AdminAccess | undefined>)[ACCESS_KEY];
}

/** A route's access: the schema's declaration and the guard's codes, to spread into its schema. */
export function access(declared: AdminAccess): {
  declared: { [ACCESS_KEY]: AdminAccess };
  errors: ErrorCode[];
} {
  return { declared: declareAccess(declared), errors: accessErrors(declared) };
}

/** The whole deployment's administrators only (its policy, organisations, invitations). */
export const deploymentOnly = access({ scope: 'deployment', stepUp: false });
/** Organisation administrators too, within their organisation. */
export const anyAdmin = access({ scope: 'organisation', stepUp: false });
/** Organisation administrators too, after a fresh step-up (lowers a user's protection). */
export const anyAdminSteppedUp = access({ scope: 'organisation', stepUp: true });
