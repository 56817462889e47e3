/** Database rows → API shapes. Times become ISO strings; nothing secret is ever copied. */
import type { AmrEntry } from '../sessions/sessions.js';
import type { Account, Session } from '../store/schema.js';
import type { FlowView } from '../flows/sign-in/service.js';
import type { ChallengeView } from '../factors/otp-code/challenge.js';
import type { AuthenticationCeremony } from '../factors/passkey/ceremony.js';
import type { Passkey } from '../store/schema.js';

/**
 * Times as ISO strings. The session check formats six or seven each time, mostly the same ones
 * (a session's creation and expiry, its last minute seen), so the strings made are kept: a few
 * thousand at most, forgotten all at once when full.
 */
const formatted = new Map<number, string>();
const iso = (ms: number): string => {
  let text = formatted.get(ms);
  if (text === undefined) {
    if (formatted.size >= 4096) formatted.clear();
    formatted.set(ms, (text = new Date(ms).toISOString()));
  }
  return text;
};

/** `now`: an MFA exemption is shown while in force only (it ends by itself). */
export function presentUser(a: Account, now: number) {
  return {
    id: a.id,
    email: a.email,
    emailVerified: a.email_verified_at !== null,
    role: a.role,
    state: a.state,
    createdAt: iso(a.created_at),
    mfaExemptUntil:
      a.mfa_exempt_until !== null && a.mfa_exempt_until > now ? iso(a.mfa_exempt_until) : null,
  };
}

/** `idleMs`: the deployment's idle limit, for a session without its own; `amr` if parsed already. */
export function presentSession(
  s: Session,
  idleMs: number,
  amr: AmrEntry[] = JSON.parse(s.amr) as AmrEntry[],
) {
  return {
    id: s.id,
    aal: s.aal,
    amr: amr.map((e) => ({ method: e.method, at: iso(e.at) })),
    createdAt: iso(s.created_at),
    lastSeenAt: iso(s.last_seen_at),
    idleExpiresAt: iso(s.last_seen_at + (s.idle_ms ?? idleMs)),
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

/** A WebAuthn ceremony's options as sent, with its expiry as a time. */
export function presentCeremony<C extends { expiresAt: number }>(
  c: C,
): Omit<C, 'expiresAt'> & { expiresAt: string };
export function presentCeremony<C extends { expiresAt: number }>(
  c: C | null,
): (Omit<C, 'expiresAt'> & { expiresAt: string }) | null;
export function presentCeremony<C extends { expiresAt: number }>(c: C | null) {
  return c && { ...c, expiresAt: iso(c.expiresAt) };
}

export function presentFlow(v: FlowView) {
  return {
    ...v,
    expiresAt: iso(v.expiresAt),
    serverTime: iso(v.serverTime),
    code: presentCode(v.code),
    recoveryCode: v.recoveryCode && { ...v.recoveryCode, createdAt: iso(v.recoveryCode.createdAt) },
    passkey: presentCeremony<AuthenticationCeremony>(v.passkey),
    passkeyRegistration: presentCeremony(v.passkeyRegistration),
    minimum: v.minimum && {
      ...v.minimum,
      deadline: v.minimum.deadline === null ? null : iso(v.minimum.deadline),
    },
  };
}

/** A passkey as its owner sees it: never the key, the credential id or the counter. */
export function presentPasskey(p: Passkey, removable: boolean) {
  return {
    id: p.id,
    name: p.name,
    createdAt: iso(p.created_at),
    lastUsedAt: p.last_used_at === null ? null : iso(p.last_used_at),
    synced: p.backed_up === 1,
    deviceBound: p.backup_eligible === 0,
    flagged: p.flagged_at !== null,
    removable,
  };
}
