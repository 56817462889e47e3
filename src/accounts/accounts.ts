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
}

export interface AccountDeps {
  db: Db;
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
      const inserted = await db
        .insertInto('accounts')
        .values({
          id,
          email: parsed.display,
          email_normalized: parsed.normalized,
          email_verified_at: null,
          password_hash: passwordHash,
          state: 'active',
          role: 'user',
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('email_normalized').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        await d.audit.record({ action: 'account.signed_up', actorId: id, targetId: id, origin });
        return;
      }
      // After the answer: the answer and its time are those of a new address (S6).
      // To the holder's own address: the one typed may be a lookalike of it (`ⅴic@` for `vic@`).
      const holder = await db
        .selectFrom('accounts')
        .select('email')
        .where('email_normalized', '=', parsed.normalized)
        .executeTakeFirstOrThrow();
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
        const existing = await db
          .selectFrom('accounts')
          .select(['id', 'state'])
          .where('email_normalized', '=', parsed.normalized)
          .executeTakeFirst();
        if (existing && existing.state !== 'invited') {
          throw new AppError('VALIDATION_FAILED', {
            message: 'An account with this email already exists.',
            details: { field: 'email' },
          });
        }
        const id = existing?.id ?? newId();
        if (!existing) {
          await db
            .insertInto('accounts')
            .values({
              id,
              email: parsed.display,
              email_normalized: parsed.normalized,
              email_verified_at: null,
              password_hash: null,
              state: 'invited',
              role,
              created_at: now,
              updated_at: now,
            })
            .execute();
        } else {
          await db
            .updateTable('accounts')
            .set({ role, updated_at: now })
            .where('id', '=', id)
            .execute();
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
      await db.transaction().execute(async (tx) => {
        // Consumed once: the guarded update is what makes a second acceptance fail.
        const used = await tx
          .updateTable('invitations')
          .set({ accepted_at: now })
          .where('id', '=', row.id)
          .where('accepted_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw new AppError('INVITATION_INVALID');
        await tx
          .updateTable('accounts')
          .set({ password_hash: passwordHash, state: 'active', updated_at: now })
          .where('id', '=', row.account_id)
          .execute();
      });
      await d.audit.record({
        action: 'account.invitation_accepted',
        actorId: row.account_id,
        targetId: row.account_id,
        origin,
      });
    },

    findByEmail: (email) => {
      const normalized = lookupKey(email);
      if (normalized === null) return Promise.resolve(undefined);
      return db
        .selectFrom('accounts')
        .selectAll()
        .where('email_normalized', '=', normalized)
        .executeTakeFirst();
    },
  };
}
