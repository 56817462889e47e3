/**
 * The deployment's policy through the admin API (admin context: an admin with an AAL2 session,
 * S23). An administrator reads it, switches preset or writes a document (validated, every bad
 * field named), or goes back to PORTCULLIS_POLICY. A change applies at the next request of every
 * server process, without a restart: the policy is read from the database each time.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeploymentPolicyView } from '../../policy/admin.js';
import { policyInvalid } from '../../policy/validated.js';
import { policyFromDocument, PolicyError } from '../../policy/schema.js';
import { deploymentOnly } from '../../admin/access.js';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { errors, Timestamp } from '../schemas.js';
import { origin } from './public.js';

const iso = (ms: number) => new Date(ms).toISOString();

const PolicyView = Type.Object({
  source: Type.Union([Type.Literal('configuration'), Type.Literal('administrator')], {
    description:
      '`configuration`: PORTCULLIS_POLICY applies; `administrator`: the document an administrator set here.',
  }),
  document: Type.Union([Type.Ref('PolicyDocument'), Type.Null()], {
    description: 'The document an administrator set, as written; null with `configuration`.',
  }),
  updatedAt: Type.Union([Timestamp, Type.Null()]),
  updatedBy: Type.Union([Type.Object({ id: Type.String(), email: Type.String() }), Type.Null()], {
    description: 'The administrator who set it.',
  }),
  policy: Type.Ref('Policy', { description: "The deployment's policy as it applies now." }),
});

export const presentPolicyView = (v: DeploymentPolicyView) => ({
  ...v,
  updatedAt: v.updatedAt === null ? null : iso(v.updatedAt),
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A preValidation hook for a body that is or holds a policy document: the document is checked
 * field by field, and a bad one is answered POLICY_INVALID naming every problem (the schema's own
 * check, which follows, stops at the first). Like every validation it comes before the route
 * context's guards; what it tells is in the published schema. A body that is not a JSON object
 * is left to the schema's check (VALIDATION_FAILED).
 */
export function checkPolicyIn(pick: (body: Record<string, unknown>) => PolicyInBody | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!isObject(request.body)) return;
    const found = pick(request.body);
    if (!found) return;
    try {
      found.parse(found.document);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      // Problems are named from the document's root: `/codeLength` becomes `/override/codeLength`,
      // and `/` (the document itself) `/override`.
      const at = found.at ?? '';
      const problems = err.problems.map((p) =>
        at && p.startsWith('/:') ? at + p.slice(1) : at + p,
      );
      throw policyInvalid(new PolicyError(problems));
    }
  };
}

interface PolicyInBody {
  document: unknown;
  parse: (document: unknown) => unknown;
  /** Where the document sits in the body (`/override`); the body itself when absent. */
  at?: string;
}

export function registerAdminPolicyRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  r.get(
    '/api/v1/admin/policy',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: "The deployment's policy: where it comes from, the document, the policy it gives",
        response: {
          200: PolicyView,
          ...errors(...deploymentOnly.errors),
        },
      },
    },
    async () => presentPolicyView(await s.policyAdmin.deployment()),
  );

  r.put(
    '/api/v1/admin/policy',
    {
      preValidation: checkPolicyIn((body) => ({ document: body, parse: policyFromDocument })),
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary:
          'Set the deployment\'s policy: a preset (`{ "extends": "strong-mfa" }`) or a document extending one; applies at the next request',
        body: Type.Ref('PolicyDocument'),
        response: {
          200: PolicyView,
          ...errors(...deploymentOnly.errors, 'POLICY_INVALID'),
        },
      },
    },
    async (request) => {
      return presentPolicyView(
        await s.policyAdmin.setDeployment(signedIn(request).account, request.body, origin(request)),
      );
    },
  );

  r.delete(
    '/api/v1/admin/policy',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary:
          'Go back to the configured policy (PORTCULLIS_POLICY); applies at the next request',
        response: {
          200: PolicyView,
          ...errors(...deploymentOnly.errors),
        },
      },
    },
    async (request) =>
      presentPolicyView(
        await s.policyAdmin.clearDeployment(signedIn(request).account, origin(request)),
      ),
  );
}
