/**
 * Organisations through the admin API (admin context: an admin with an AAL2 session, S23):
 * create one (a name, optionally a policy override), list them, read one with its members and
 * the policy they get (the deployment's tightened by the override), set or clear its override,
 * add a member by email, remove one. An account belongs to one organisation at most.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { OrganisationDetail, OrganisationView } from '../../policy/admin.js';
import { overrideFromDocument } from '../../policy/schema.js';
import { anyAdmin, deploymentOnly } from '../../admin/access.js';
import type { RouteServices } from '../../services.js';
import { signedIn, organisationInScope } from '../auth.js';
import { Email, errors, ResourceId, Timestamp } from '../schemas.js';
import { checkPolicyIn } from './admin-policy.js';
import { origin } from './public.js';

const iso = (ms: number) => new Date(ms).toISOString();

const Id = ResourceId;
const OrganisationParams = Type.Object({ id: Id }, { additionalProperties: false });
const MemberParams = Type.Object({ id: Id, accountId: Id }, { additionalProperties: false });

const OrganisationName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description: 'Unique, whatever its case ("North Clinic").',
});

const Override = Type.Union([Type.Ref('PolicyOverrideDocument'), Type.Null()], {
  description: "The organisation's override of the deployment's policy; null: none.",
});

const OrganisationInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  override: Override,
  memberCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Member = Type.Object({ id: Type.String(), email: Type.String() });

const Detail = Type.Object({
  organisation: OrganisationInfo,
  members: Type.Array(Member, { description: 'Its members, by email.' }),
  policy: Type.Ref('Policy', {
    description: "What its members get: the deployment's policy tightened by the override.",
  }),
});

const presentOrganisation = (o: OrganisationView) => ({
  ...o,
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt),
});
const presentDetail = (d: OrganisationDetail) => ({
  ...d,
  organisation: presentOrganisation(d.organisation),
});

/** The override in a body, checked field by field (POLICY_INVALID); null: none. */
const overrideCheck = checkPolicyIn((body) =>
  body.override == null
    ? undefined
    : { document: body.override, parse: overrideFromDocument, at: '/override' },
);

export function registerAdminOrganisationRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  r.post(
    '/api/v1/admin/organisations',
    {
      preValidation: overrideCheck,
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: 'Create an organisation, optionally with a policy override for its members',
        body: Type.Object(
          { name: OrganisationName, override: Type.Optional(Override) },
          { additionalProperties: false },
        ),
        response: {
          201: Detail,
          ...errors(...deploymentOnly.errors, 'POLICY_INVALID', 'ORGANISATION_EXISTS'),
        },
      },
    },
    async (request, reply) => {
      const created = await s.policyAdmin.createOrganisation(
        signedIn(request).account,
        { name: request.body.name, override: request.body.override ?? null },
        origin(request),
      );
      return reply.code(201).send(presentDetail(created));
    },
  );

  r.get(
    '/api/v1/admin/organisations',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: 'The organisations, by name',
        response: {
          200: Type.Object({ organisations: Type.Array(OrganisationInfo) }),
          ...errors(...deploymentOnly.errors),
        },
      },
    },
    async () => ({
      organisations: (await s.policyAdmin.organisations()).map(presentOrganisation),
    }),
  );

  r.get(
    '/api/v1/admin/organisations/:id',
    {
      preValidation: organisationInScope,
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'One organisation: its override, its members, and the policy they get',
        params: OrganisationParams,
        response: { 200: Detail, ...errors(...anyAdmin.errors, 'ORGANISATION_NOT_FOUND') },
      },
    },
    async (request) => presentDetail(await s.policyAdmin.organisation(request.params.id)),
  );

  r.put(
    '/api/v1/admin/organisations/:id/policy',
    {
      preValidation: [organisationInScope, overrideCheck],
      schema: {
        ...anyAdmin.declared,
        tags,
        summary:
          "Set the organisation's override (it can only tighten the deployment's policy); `null` clears it",
        params: OrganisationParams,
        body: Type.Object({ override: Override }, { additionalProperties: false }),
        response: {
          200: Detail,
          ...errors(...anyAdmin.errors, 'POLICY_INVALID', 'ORGANISATION_NOT_FOUND'),
        },
      },
    },
    async (request) =>
      presentDetail(
        await s.policyAdmin.setOverride(
          signedIn(request).account,
          request.params.id,
          request.body.override,
          origin(request),
        ),
      ),
  );

  r.post(
    '/api/v1/admin/organisations/:id/members',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary:
          'Add an account to the organisation by its email (an account belongs to one organisation at most)',
        params: OrganisationParams,
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: {
          200: Type.Object({ member: Member }),
          ...errors(
            ...deploymentOnly.errors,
            'INVALID_EMAIL',
            'ORGANISATION_NOT_FOUND',
            'ACCOUNT_NOT_FOUND',
            'ACCOUNT_IN_OTHER_ORGANISATION',
          ),
        },
      },
    },
    async (request) => ({
      member: await s.policyAdmin.addMember(
        signedIn(request).account,
        request.params.id,
        request.body.email,
        origin(request),
      ),
    }),
  );

  r.delete(
    '/api/v1/admin/organisations/:id/members/:accountId',
    {
      schema: {
        ...deploymentOnly.declared,
        tags,
        summary: "Remove an account from the organisation: the deployment's policy applies again",
        params: MemberParams,
        response: {
          204: Type.Null(),
          ...errors(...deploymentOnly.errors, 'ORGANISATION_NOT_FOUND', 'MEMBER_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await s.policyAdmin.removeMember(
        signedIn(request).account,
        request.params.id,
        request.params.accountId,
        origin(request),
      );
      return reply.code(204).send(null);
    },
  );
}
