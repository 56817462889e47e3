/** Database rows → API shapes. Times become ISO strings; nothing secret is ever copied. */
import type { AmrEntry } from '../sessions/sessions.js';
import type { Account, Session } from '../store/schema.js';
import type { FlowView } from '../flows/sign-in/service.js';
import type { ChallengeView } from '../factors/otp-code/challenge.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentUser(a: Account) {
  return {
    id: a.id,
    email: a.email,
    emailVerified: a.email_verified_at !== null,
    role: a.role,
    state: a.state,
    createdAt: iso(a.created_at),
  };
}

export function presentSession(s: Session, idleMs: number) {
  const amr = JSON.parse(s.amr) as AmrEntry[];
  return {
    id: s.id,
    aal: s.aal,
    amr: amr.map((e) => ({ method: e.method, at: iso(e.at) })),
    createdAt: iso(s.created_at),
    lastSeenAt: iso(s.last_seen_at),
    idleExpiresAt: iso(s.last_seen_at + idleMs),
    expiresAt: iso(s.expires_at),
  };
}

export function presentCode(c: ChallengeView | null) {
  if (!c) return null;
  return {
    ...c,
    issuedAt: iso(c.issuedAt),
    expiresAt: iso(c.expiresAt),
    resendAvailableAt: iso(c.resendAvailableAt),
  };
}

export function presentFlow(v: FlowView) {
  return {
    ...v,
    expiresAt: iso(v.expiresAt),
    serverTime: iso(v.serverTime),
    code: presentCode(v.code),
    recoveryCode: v.recoveryCode && { ...v.recoveryCode, createdAt: iso(v.recoveryCode.createdAt) },
  };
}
