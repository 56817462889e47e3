/**
 * The audit log through the admin API (admin context: an admin with an AAL2 session, S23, S25):
 * a page of events by filter, newest first with a cursor to the next page, or every matching
 * event as a CSV or JSON-lines file, streamed. What a caller may read is its scope.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { exportContentType, exportFileName } from '../../audit/export.js';
import type { AuditFilter, AuditScope } from '../../audit/search.js';
import { anyAdmin } from '../../admin/access.js';
import type { RouteServices } from '../../services.js';
import { adminScopeOf } from '../auth.js';
import { errors, ResourceId, Timestamp } from '../schemas.js';

/** The rows this caller may read: an organisation administrator, their organisation's only. */
export function auditScopeOf(request: FastifyRequest): AuditScope {
  return adminScopeOf(request);
}

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);

const filterFields = {
  actorId: Type.Optional(ResourceId),
  targetId: Type.Optional(ResourceId),
  action: Type.Optional(
    Type.String({ pattern: '^[a-z_.]{1,64}$', description: 'e.g. sign_in.failed' }),
  ),
  organisationId: Type.Optional(ResourceId),
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'From this time, inclusive.' }),
  ),
  to: Type.Optional(
    Type.String({ format: 'date-time', description: 'Until this time, exclusive.' }),
  ),
};

const SearchQuery = Type.Object(
  {
    ...filterFields,
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: "The previous page's nextCursor." }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 200; default 50' }),
    ),
  },
  { additionalProperties: false },
);

const ExportQuery = Type.Object(
  { ...filterFields, format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]) },
  { additionalProperties: false },
);

const AuditEventInfo = Type.Object({
  id: Type.String(),
  at: Timestamp,
  action: Type.String(),
  actorId: Nullable(Type.String()),
  actorEmail: Nullable(Type.String({ description: "The actor's address; null if gone." })),
  targetId: Nullable(Type.String()),
  targetEmail: Nullable(Type.String()),
  organisationId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'The reason an administrator gave.' })),
  details: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
});

function filterOf(
  request: FastifyRequest,
  q: Static<typeof ExportQuery> | Static<typeof SearchQuery>,
): AuditFilter {
  const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
  const f: AuditFilter = { scope: auditScopeOf(request) };
  if (q.actorId !== undefined) f.actorId = q.actorId;
  if (q.targetId !== undefined) f.targetId = q.targetId;
  if (q.action !== undefined) f.action = q.action;
  if (q.organisationId !== undefined) f.organisationId = q.organisationId;
  const from = time(q.from);
  const to = time(q.to);
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  return f;
}

export function registerAdminAuditRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin'];

  r.get(
    '/api/v1/admin/audit-events',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Audit events by filter, newest first, a page at a time',
        querystring: SearchQuery,
        response: {
          200: Type.Object({
            events: Type.Array(AuditEventInfo),
            nextCursor: Nullable(Type.String({ description: 'The next page; null: the last.' })),
          }),
          ...errors(...anyAdmin.errors, 'INVALID_CURSOR', 'INVALID_DATE_RANGE'),
        },
      },
    },
    async (request) =>
      s.auditConsole.search({
        ...filterOf(request, request.query),
        ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}),
        ...(request.query.limit !== undefined ? { limit: Number(request.query.limit) } : {}),
      }),
  );

  r.get(
    '/api/v1/admin/audit-events/export',
    {
      schema: {
        ...anyAdmin.declared,
        tags,
        summary: 'Every audit event a filter matches, as a CSV or JSON-lines file (streamed)',
        querystring: ExportQuery,
        response: {
          200: Type.String({ description: 'The file: CSV (RFC 4180) or one JSON event a line.' }),
          ...errors(...anyAdmin.errors, 'INVALID_DATE_RANGE'),
        },
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const body = s.auditConsole.export(filterOf(request, request.query), format);
      return reply
        .header('content-type', exportContentType[format])
        .header(
          'content-disposition',
          `attachment; filename=${exportFileName(s.clock.now(), format)}`,
        )
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
}
