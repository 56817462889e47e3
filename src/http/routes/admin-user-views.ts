/**
 * The admin console's user schemas (TypeBox, so they are the OpenAPI document's) and how one
 * user's detail is presented: times as ISO strings, a phone masked, an exemption only while it
 * lasts.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AdminAct } from '../../admin/actions.js';
import type { UserDetail } from '../../admin/users.js';
import { adminTargetOf, signedIn } from '../auth.js';
import { ResourceId, Timestamp } from '../schemas.js';
import { origin } from './origin.js';

export const tags = ['admin'];
export const iso = (at: number) => new Date(at).toISOString();
const isoOrNull = (at: number | null) => (at === null ? null : iso(at));
export const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const UserParams = Type.Object({ userId: ResourceId }, { additionalProperties: false });

export const UserQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 254, description: 'The start of an email address or a name.' }),
    ),
    organisationId: Type.Optional(ResourceId),
    state: Type.Optional(
      Type.Union(
        ['active', 'disabled', 'invited', 'locked', 'mfa_off'].map((v) => Type.Literal(v)),
      ),
    ),
    holds: Type.Optional(
      Type.Union(['phone', 'totp', 'passkey', 'recovery_code'].map((v) => Type.Literal(v))),
    ),
    sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('email')])),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  },
  { additionalProperties: false },
);

export const UserSummary = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  organisationId: Nullable(Type.String()),
  role: Type.String(),
  state: Type.String(),
  createdAt: Timestamp,
});

export const Reason = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'Why (kept in the audit log).',
});

export const UserView = Type.Object({
  user: Type.Object({
    ...UserSummary.properties,
    emailVerified: Type.Boolean(),
    organisationName: Nullable(Type.String()),
    lastSignInAt: Nullable(Timestamp),
    locked: Type.Boolean(),
    mfaOffUntil: Nullable(Timestamp),
  }),
  factors: Type.Object({
    phone: Nullable(
      Type.Object({ masked: Type.String(), kind: Type.String(), since: Timestamp }) as never,
    ),
    pendingPhone: Nullable(Type.Object({ masked: Type.String(), since: Timestamp }) as never),
    totp: Nullable(Type.Object({ since: Timestamp, lastUsedAt: Nullable(Timestamp) }) as never),
    passkeys: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        since: Timestamp,
        lastUsedAt: Nullable(Timestamp),
      }),
    ),
    recoveryCode: Nullable(
      Type.Object({ since: Timestamp, savedAt: Nullable(Timestamp) }) as never,
    ),
  }),
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      userAgent: Nullable(Type.String()),
      ip: Nullable(Type.String()),
      lastSeenAt: Timestamp,
    }),
  ),
  events: Type.Array(
    Type.Object({
      action: Type.String(),
      description: Type.String(),
      at: Timestamp,
      ip: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
    }),
  ),
  allowed: Type.Object({
    mfaExemption: Type.Object({ allowed: Type.Boolean(), maxHours: Type.Integer() }),
    phoneUpdate: Type.Boolean(),
    factorReset: Type.Array(Type.String()),
  }),
});

export function present(d: UserDetail, now: number) {
  const a = d.account;
  const f = d.factors;
  return {
    user: {
      id: a.id,
      email: a.email,
      name: a.display_name,
      organisationId: a.organisation_id,
      role: a.role,
      state: a.state,
      createdAt: iso(a.created_at),
      emailVerified: a.email_verified_at !== null,
      organisationName: d.organisationName,
      lastSignInAt: isoOrNull(d.lastSignInAt),
      locked: d.locked,
      mfaOffUntil:
        a.mfa_exempt_until !== null && a.mfa_exempt_until > now ? iso(a.mfa_exempt_until) : null,
    },
    factors: {
      phone: f.phone && { ...f.phone, since: iso(f.phone.since) },
      pendingPhone: f.pendingPhone && { ...f.pendingPhone, since: iso(f.pendingPhone.since) },
      totp: f.totp && { since: iso(f.totp.since), lastUsedAt: isoOrNull(f.totp.lastUsedAt) },
      passkeys: f.passkeys.map((k) => ({
        ...k,
        since: iso(k.since),
        lastUsedAt: isoOrNull(k.lastUsedAt),
      })),
      recoveryCode: f.recoveryCode && {
        since: iso(f.recoveryCode.since),
        savedAt: isoOrNull(f.recoveryCode.savedAt),
      },
    },
    sessions: d.sessions.map((s) => ({ ...s, lastSeenAt: iso(s.lastSeenAt) })),
    events: d.events.map((e) => ({
      action: e.action,
      description: e.description,
      at: iso(e.at),
      ip: e.ip,
      userAgent: e.userAgent,
    })),
    allowed: d.allowed,
  };
}

/** Who acts on whom, and why. */
export const actOf = (request: FastifyRequest, reason: string | null = null): AdminAct => ({
  actor: signedIn(request).account,
  target: adminTargetOf(request),
  reason,
  origin: origin(request),
});
