/**
 * Accounts: sign-up, invitations and their acceptance. Sign-up answers the same whether or not
 * the email is taken (S6): a taken address gets an email instead of an error, and the work done
 * (one password hash) is the same either way.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, randomToken } from '../crypto/random.js';
import type { Outbox } from '../delivery/outbox.js';
import * as messages from '../delivery/messages.js';
import { AppError } from '../errors/app-error.js';
import type { PasswordHasher } from '../factors/password/hashing.js';
import { checkPassword } from '../factors/password/rules.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountRepo } from './repo.js';
import type { Account, Db, Role } from '../store/schema.js';
import { lookupKey, parseNewEmail } from './email.js';

const INVITATION_DOMAIN = 'invitation-token';

export interface AccountSettings {
  portalName: string;
  publicUrl: URL;
  passwordMinLength: number;
  invitationValidityMs: number;
}

export interface AccountService {
  signUp(input: { email: string; password: string; origin: RequestOrigin }): Promise<void>;
  invite(input: {
    email: string;
    role: Role;
    invitedBy: string | null;
    send: boolean;
  }): Promise<{ link: string; accountId: string; expiresAt: number }>;
  lookupInvitation(token: string): Promise<{ email: string; expiresAt: number }>;
  acceptInvitation(input: {
    token: string;
    password: string;
    origin: RequestOrigin;
  }): Promise<void>;
  findByEmail(email: string): Promise<Account | undefined>;
  /** An administrator's revoke: every live link of the invitation stops; false when none was. */
  revokeInvitation(input: {
    accountId: string;
    actorId: string;
    organisationId: string | null;
    reason: string | null;
    origin: RequestOrigin;
  }): Promise<boolean>;
}

export interface AccountDeps {
  db: Db;
  accounts: AccountRepo;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  units: UnitOfWork;
  outbox: Outbox;
  audit: AuditLog;
  settings: AccountSettings;
}

export function createAccountService(d: AccountDeps): AccountService {
  const { db, clock, settings } = d;
  const passwordContext = (email: string) => ({
    minLength: settings.passwordMinLength,
    email,
    portalName: settings.portalName,
  });

  async function liveInvitation(token: string) {
    const row = await db
      .selectFrom('invitations')
      .innerJoin('accounts', 'accounts.id', 'invitations.account_id')
      .select([
        'invitations.id',
        'invitations.account_id',
        'invitations.expires_at',
        'accounts.email',
        'accounts.state',
      ])
      .where('invitations.token_hash', '=', d.hasher.hash(INVITATION_DOMAIN, token))
      .where('invitations.accepted_at', 'is', null)
      .where('invitations.expires_at', '>', clock.now())
      .executeTakeFirst();
    if (!row || row.state !== 'invited') throw new AppError('INVITATION_INVALID');
    return row;
  }

  return {
    async signUp({ email, password, origin }) {
      const parsed = parseNewEmail(email);
      const normalized = checkPassword(password, passwordContext(parsed.display));
      const passwordHash = await d.passwords.hash(normalized);
      const now = clock.now();
      const id = newId();
      // The account and its audit event commit together (S25).
      const inserted = await d.units.transaction(async () => {
        const added = await d.accounts.insert({
          id,
          email: parsed.display,
          emailKey: parsed.normalized,
          passwordHash,
          state: 'active',
          role: 'user',
          now,
        });
        if (added)
          await d.audit.record({ action: 'account.signed_up', actorId: id, targetId: id, origin });
        return added;
      });
      if (inserted) return;
      // After the answer: the answer and its time are those of a new address (S6).
      // To the holder's own address: the one typed may be a lookalike of it (`ⅴic@` for `vic@`).
      const holder = await d.accounts.byEmailKey(parsed.normalized);
      if (!holder) throw new Error('the address that refused the sign-up has no account');
      const signInUrl = new URL('/sign-in', settings.publicUrl).toString();
      await d.outbox.enqueue(
        messages.signUpAttemptForExistingAccount(settings.portalName, holder.email, signInUrl),
      );
    },

    async invite({ email, role, invitedBy, send }) {
      const parsed = parseNewEmail(email);
      const now = clock.now();
      const token = randomToken();
      const expiresAt = now + settings.invitationValidityMs;
      const link = new URL(
        `/accept-invitation?token=${encodeURIComponent(token)}`,
        settings.publicUrl,
      ).toString();
      // The account, its invitation, the audit event and the email commit together (S32).
      const accountId = await d.units.transaction(async () => {
        const exists = () =>
          new AppError('VALIDATION_FAILED', {
            message: 'An account with this email already exists.',
            details: { field: 'email' },
          });
        const existing = await d.accounts.byEmailKey(parsed.normalized);
        if (existing && existing.state !== 'invited') throw exists();
        const id = existing?.id ?? newId();
        if (!existing) {
          const account = { id, email: parsed.display, emailKey: parsed.normalized };
          const fresh = { ...account, passwordHash: null, state: 'invited' as const, role, now };
          if (!(await d.accounts.insert(fresh))) throw exists();
        } else {
          await d.accounts.setRole(id, role, now);
          // A new invitation replaces any earlier one.
          await db
            .updateTable('invitations')
            .set({ expires_at: now })
            .where('account_id', '=', id)
            .where('accepted_at', 'is', null)
            .execute();
        }
        await db
          .insertInto('invitations')
          .values({
            id: newId(),
            token_hash: d.hasher.hash(INVITATION_DOMAIN, token),
            account_id: id,
            created_by: invitedBy,
            created_at: now,
            expires_at: expiresAt,
            accepted_at: null,
          })
          .execute();
        await d.audit.record({
          action: 'account.invited',
          actorId: invitedBy,
          targetId: id,
          details: { role },
        });
        if (send)
          await d.outbox.enqueue(
            messages.invitation(
              settings.portalName,
              parsed.display,
              link,
              settings.invitationValidityMs,
            ),
          );
        return id;
      });
      return { link, accountId, expiresAt };
    },

    async lookupInvitation(token) {
      const row = await liveInvitation(token);
      return { email: row.email, expiresAt: row.expires_at };
    },

    async acceptInvitation({ token, password, origin }) {
      const row = await liveInvitation(token);
      const normalized = checkPassword(password, passwordContext(row.email));
      const passwordHash = await d.passwords.hash(normalized);
      const now = clock.now();
      await d.units.transaction(async () => {
        // Consumed once: the guarded update is what makes a second acceptance fail.
        const used = await db
          .updateTable('invitations')
          .set({ accepted_at: now })
          .where('id', '=', row.id)
          .where('accepted_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw new AppError('INVITATION_INVALID');
        await d.accounts.setPassword(row.account_id, passwordHash, now, { activate: true });
        await d.audit.record({
          action: 'account.invitation_accepted',
          actorId: row.account_id,
          targetId: row.account_id,
          origin,
        });
      });
    },

    revokeInvitation: ({ accountId, actorId, organisationId, reason, origin }) =>
      d.units.transaction(async () => {
        const now = clock.now();
        const revoked = await db
          .updateTable('invitations')
          .set({ expires_at: now })
          .where('account_id', '=', accountId)
          .where('accepted_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (Number(revoked.numUpdatedRows) === 0) return false;
        await d.audit.record({
          action: 'account.invitation_revoked',
          actorId,
          targetId: accountId,
          organisationId,
          reason,
          origin,
        });
        return true;
      }),

    findByEmail: (email) => {
      const normalized = lookupKey(email);
      if (normalized === null) return Promise.resolve(undefined);
      return d.accounts.byEmailKey(normalized);
    },
  };
}
