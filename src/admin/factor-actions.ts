/**
 * What an administrator does to a user's factors and sign-in (seed 002's "update your phone
 * number"): set a pending phone number (confirmed by the user with a code sent to it at their next
 * sign-in; the old one works until then), reset a factor (removed, the user's sessions ended; the
 * policy's minimum asks for it again), ask for a new password (the user resets it themselves: an
 * administrator never sees or sets one), and make a member an organisation administrator. Each is one unit with its audit
 * event and the user's notice, and each is allowed only where the user's policy says so.
 */
import type { AccountRepo } from '../accounts/repo.js';
import type { AuditAction, AuditLog } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { passwordResetAsked, securityNotice } from '../delivery/messages.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import { AppError } from '../errors/app-error.js';
import type { PasskeyRepo } from '../factors/passkey/repo.js';
import { maskPhone, parsePhone, type PhoneRules } from '../factors/phone/numbers.js';
import type { PhoneRepo } from '../factors/phone/repo.js';
import type { RecoveryCodeRepo } from '../factors/recovery/repo.js';
import type { TotpRepo } from '../factors/totp/repo.js';
import type { PolicySource } from '../policy/source.js';
import type { FactorKind } from '../policy/presets.js';
import type { SessionService } from '../sessions/sessions.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AdminAct } from './actions.js';

export interface FactorActionDeps {
  accounts: AccountRepo;
  phones: PhoneRepo;
  totps: TotpRepo;
  passkeys: PasskeyRepo;
  recoveryCodes: RecoveryCodeRepo;
  audit: AuditLog;
  units: UnitOfWork;
  clock: Clock;
  policies: PolicySource;
  phoneRules: PhoneRules;
  notify: (message: OutgoingMessage) => Promise<void>;
  /** A reset factor ends the user's sessions (and tells their portals: back-channel logout). */
  sessions: Pick<SessionService, 'endAll'>;
  portalName: string;
  publicUrl: string;
}

/** A role change: by an administrator, or from the command line (no actor). */
export type RoleChange = Omit<AdminAct, 'actor'> & { actor: AdminAct['actor'] | null };

/** A factor an administrator may reset; a passkey is named by its id. */
export type FactorReset = { factor: Exclude<FactorKind, 'password'>; passkeyId?: string };

export function createFactorActions(d: FactorActionDeps) {
  const { clock } = d;

  async function record(
    act: AdminAct,
    action: AuditAction,
    details: Record<string, string | number | boolean | null>,
  ) {
    await d.audit.record({
      action,
      actorId: act.actor.id,
      targetId: act.target.id,
      origin: act.origin,
      organisationId: act.target.organisation_id,
      reason: act.reason,
      details,
    });
  }

  const notice = (act: AdminAct, change: string) =>
    d.notify(securityNotice(d.portalName, act.target.email, change));

  /** Removes one factor; false when the user did not hold it. */
  async function remove(accountId: string, reset: FactorReset): Promise<boolean> {
    const now = clock.now();
    switch (reset.factor) {
      case 'phone':
        return (await d.phones.remove(accountId)) !== undefined;
      case 'totp':
        return (await d.totps.remove(accountId)) !== undefined;
      case 'passkey':
        if (reset.passkeyId === undefined) throw new AppError('VALIDATION_FAILED');
        return (await d.passkeys.remove(accountId, reset.passkeyId)) !== undefined;
      case 'recovery_code':
        return d.recoveryCodes.revoke(accountId, now);
    }
  }

  const removedWords: Record<FactorReset['factor'], string> = {
    phone: 'your phone number',
    totp: 'your authenticator app',
    passkey: 'a passkey',
    recovery_code: 'your recovery code',
  };

  return {
    /**
     * Stores `input` as the user's pending number (validated as the user's own would be: E.164,
     * the allowed countries, no extension). Returns it masked.
     */
    async updatePhone(act: AdminAct, input: string): Promise<string> {
      const policy = await d.policies.forAccount(act.target.id);
      if (!policy.adminPhoneUpdate) throw new AppError('ADMIN_ACTION_NOT_ALLOWED');
      const parsed = parsePhone(input, d.phoneRules);
      const masked = maskPhone(parsed.e164);
      await d.units.transaction(async () => {
        const phone = { e164: parsed.e164, country: parsed.country, kind: parsed.kind };
        await d.phones.setPending(act.target.id, phone, act.actor.id, clock.now());
        await record(act, 'admin.phone_set', { phone: masked, kind: parsed.kind });
        await notice(
          act,
          `Your administrator set a new phone number for your account (${masked}). ` +
            'At your next sign-in a code is sent to it; your current number works until you enter it.',
        );
      });
      return masked;
    },

    /** Removes a factor the policy lets an administrator reset. */
    async resetFactor(act: AdminAct, reset: FactorReset): Promise<void> {
      const policy = await d.policies.forAccount(act.target.id);
      if (!policy.adminFactorReset.includes(reset.factor))
        throw new AppError('ADMIN_ACTION_NOT_ALLOWED');
      await d.units.transaction(async () => {
        if (!(await remove(act.target.id, reset))) throw new AppError('FACTOR_NOT_HELD');
        // Sessions it vouched for end with it: a lost phone's sign-ins included.
        const sessionsEnded = await d.sessions.endAll(act.target.id);
        await record(act, 'admin.factor_reset', {
          factor: reset.factor,
          ...(reset.passkeyId === undefined ? {} : { passkeyId: reset.passkeyId }),
          sessionsEnded,
        });
        await notice(
          act,
          `Your administrator removed ${removedWords[reset.factor]} from your account and signed ` +
            'you out everywhere. If your sign-in needs it, you are asked to add one again when ' +
            'you next sign in.',
        );
      });
    },

    /** Emails the user a way to set a new password themselves ("Forgot your password?"). */
    async askForNewPassword(act: AdminAct): Promise<void> {
      if (act.target.state !== 'active') throw new AppError('USER_CHANGED');
      const link = new URL('/forgot-password', d.publicUrl);
      link.searchParams.set('email', act.target.email);
      await d.units.transaction(async () => {
        await record(act, 'admin.password_reset_asked', {});
        await d.notify(passwordResetAsked(d.portalName, act.target.email, link.toString()));
      });
    },

    /**
     * Makes a member of an organisation its administrator, or an organisation admin a member.
     * The actor is null when the command line does it (`npm run cli -- org-admin`).
     */
    async setRole(act: RoleChange, role: 'org_admin' | 'user'): Promise<void> {
      const { target } = act;
      const from = target.role;
      if (from === 'admin') throw new AppError('USER_NOT_FOUND');
      if (role === 'org_admin' && target.organisation_id === null)
        throw new AppError('NOT_IN_ORGANISATION');
      if (from === role) return;
      await d.units.transaction(async () => {
        if (!(await d.accounts.changeRole(target.id, from, role, clock.now())))
          throw new AppError('USER_CHANGED');
        await d.audit.record({
          action: 'admin.role_changed',
          actorId: act.actor?.id ?? null,
          targetId: target.id,
          origin: act.origin,
          organisationId: target.organisation_id,
          reason: act.reason,
          details: { from, to: role },
        });
        await d.notify(
          securityNotice(
            d.portalName,
            target.email,
            role === 'org_admin'
              ? 'You are now an administrator of your organisation: the Admin console is in your menu.'
              : 'You are no longer an administrator of your organisation.',
          ),
        );
      });
    },
  };
}

export type FactorActions = ReturnType<typeof createFactorActions>;
