/**
 * One user as the console shows them, to an administrator allowed to see them: the target check
 * (an organisation administrator reaches their own members only, and nobody reaches their own
 * account here), and the user's detail — account, factors with destinations masked, sessions,
 * lock-out, exemption, recent security events, and which actions their policy allows.
 */
import parsePhoneNumber from 'libphonenumber-js/max';
import { recentActivity, type ActivityEntry } from '../accounts/activity.js';
import type { AccountRepo } from '../accounts/repo.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { AppError } from '../errors/app-error.js';
import type { FactorKind, Policy } from '../policy/presets.js';
import type { PolicySource } from '../policy/source.js';
import type { SessionService } from '../sessions/sessions.js';
import type { Account, Db } from '../store/schema.js';
import type { AdminScope } from './access.js';

export interface UserDetail {
  account: Account;
  organisationName: string | null;
  lastSignInAt: number | null;
  locked: boolean;
  factors: {
    phone: { masked: string; kind: string; since: number } | null;
    pendingPhone: { masked: string; since: number } | null;
    totp: { since: number; lastUsedAt: number | null } | null;
    passkeys: { id: string; name: string; since: number; lastUsedAt: number | null }[];
    recoveryCode: { since: number; savedAt: number | null } | null;
  };
  sessions: { id: string; userAgent: string | null; ip: string | null; lastSeenAt: number }[];
  events: ActivityEntry[];
  allowed: {
    mfaExemption: Policy['mfaExemption'];
    phoneUpdate: boolean;
    factorReset: FactorKind[];
  };
}

export interface UsersDeps {
  db: Db;
  accounts: AccountRepo;
  policies: PolicySource;
  sessions: SessionService;
  hasher: KeyedHasher;
}

/** `+447546123456` → `+44 ••• ••• 3456`: the country and the last four digits. */
export function maskForAdmin(e164: string): string {
  const code = parsePhoneNumber(e164)?.countryCallingCode;
  return `${code ? `+${code} ` : ''}••• ••• ${e164.slice(-4)}`;
}

/** The failure counters of an account: its codes' and its password's (keyed by the address). */
export const counterSubjects = (hasher: KeyedHasher, account: Account) => [
  `code:${account.id}`,
  `password:${hasher.hash('email', account.email_normalized)}`,
];

export function createUsers(d: UsersDeps) {
  const { db } = d;

  return {
    /** The user an administrator acts on: in their scope (else USER_NOT_FOUND), never themselves. */
    async target(scope: AdminScope, actor: Account, userId: string): Promise<Account> {
      const account = await d.accounts.byId(userId);
      const inScope =
        account !== undefined &&
        (scope.organisationId === null ||
          (account.organisation_id === scope.organisationId && account.role === 'user'));
      if (!account || !inScope) throw new AppError('USER_NOT_FOUND');
      if (account.id === actor.id) throw new AppError('SELF_ADMIN_ACTION');
      return account;
    },

    async detail(account: Account): Promise<UserDetail> {
      const id = account.id;
      const [organisation, phone, pending, totp, passkeys, recovery, lastSignIn, locks] =
        await Promise.all([
          account.organisation_id === null
            ? undefined
            : db
                .selectFrom('organisations')
                .select('name')
                .where('id', '=', account.organisation_id)
                .executeTakeFirst(),
          db.selectFrom('phones').selectAll().where('account_id', '=', id).executeTakeFirst(),
          db
            .selectFrom('pending_phones')
            .selectAll()
            .where('account_id', '=', id)
            .executeTakeFirst(),
          db
            .selectFrom('totp_factors')
            .select(['created_at', 'last_used_at'])
            .where('account_id', '=', id)
            .executeTakeFirst(),
          db
            .selectFrom('passkeys')
            .select(['id', 'name', 'created_at', 'last_used_at'])
            .where('account_id', '=', id)
            .orderBy('created_at')
            .execute(),
          db
            .selectFrom('recovery_codes')
            .select(['created_at', 'saved_at'])
            .where('account_id', '=', id)
            .where('used_at', 'is', null)
            .where('revoked_at', 'is', null)
            .executeTakeFirst(),
          db
            .selectFrom('audit_events')
            .select('at')
            .where('target_id', '=', id)
            .where('action', '=', 'sign_in.succeeded')
            .orderBy('at', 'desc')
            .limit(1)
            .executeTakeFirst(),
          db
            .selectFrom('failure_counters')
            .select('subject')
            .where((eb) =>
              eb.or([
                eb('account_id', '=', id),
                eb('subject', 'in', counterSubjects(d.hasher, account)),
              ]),
            )
            .where('locked_at', 'is not', null)
            .execute(),
        ]);
      const policy = await d.policies.forAccount(id);
      return {
        account,
        organisationName: organisation?.name ?? null,
        lastSignInAt: lastSignIn ? Number(lastSignIn.at) : null,
        locked: locks.length > 0,
        factors: {
          phone: phone
            ? { masked: maskForAdmin(phone.e164), kind: phone.kind, since: phone.verified_at }
            : null,
          pendingPhone: pending
            ? { masked: maskForAdmin(pending.e164), since: pending.created_at }
            : null,
          totp: totp ? { since: totp.created_at, lastUsedAt: totp.last_used_at } : null,
          passkeys: passkeys.map((k) => ({
            id: k.id,
            name: k.name,
            since: k.created_at,
            lastUsedAt: k.last_used_at,
          })),
          recoveryCode: recovery
            ? { since: recovery.created_at, savedAt: recovery.saved_at }
            : null,
        },
        sessions: (await d.sessions.list(id)).map((s) => ({
          id: s.id,
          userAgent: s.user_agent,
          ip: s.ip,
          lastSeenAt: s.last_seen_at,
        })),
        events: await recentActivity(db, id, 20),
        allowed: {
          mfaExemption: policy.mfaExemption,
          phoneUpdate: policy.adminPhoneUpdate,
          factorReset: policy.adminFactorReset,
        },
      };
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
