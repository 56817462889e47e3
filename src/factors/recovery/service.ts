/**
 * Recovery codes (S14): issued when the policy asks for one or the user asks, shown once, kept
 * only as an argon2id hash; single use, consumed atomically; after a use a new code is issued
 * (by the caller, which shows it) and the user is told (S21). Every use counts against the
 * account's failure counter before the code is compared (S5).
 */
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { securityNotice } from '../../delivery/messages.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import { assertMayAdd } from '../../policy/factor-rules.js';
import type { PolicySource } from '../../policy/source.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Account, RecoveryCode } from '../../store/schema.js';
import type { PasswordHasher } from '../password/hashing.js';
import { newRecoveryCode } from './code.js';
import type { RecoveryCodeRepo } from './repo.js';
import type { RecoveryCodeVerifier } from './verifier.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

export interface IssuedRecoveryCode {
  /** The digits, shown once; never stored or logged. */
  code: string;
  record: RecoveryCode;
}

/** A new code hashed ahead (the slow part, outside any unit), stored only by `issue`. */
export interface PreparedRecoveryCode {
  code: string;
  hash: string;
  digits: number;
}

export type IssueReason = 'requested' | 'after_use' | 'required' | 'not_saved';

export interface RecoveryCodeServiceDeps {
  clock: Clock;
  units: UnitOfWork;
  passwords: PasswordHasher;
  recoveryCodes: RecoveryCodeRepo;
  stepUp: FreshVerification;
  audit: AuditLog;
  /** The account's policy sets the code's length (`recoveryCode.digits`). */
  policies: PolicySource;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
  /** Checking and spending the code (`verifier.ts`). */
  verifier: RecoveryCodeVerifier;
}

export interface RecoveryCodeService extends RecoveryCodeVerifier {
  live(accountId: string): Promise<RecoveryCode | undefined>;
  /** A new code, hashed but not stored: for a caller that must hold it before `issue` in its unit. */
  prepare(accountId: string): Promise<PreparedRecoveryCode>;
  /** A new code (or the `prepared` one) replacing the live one (which stops working at once). */
  issue(
    account: Account,
    reason: IssueReason,
    origin: RequestOrigin,
    prepared?: PreparedRecoveryCode,
  ): Promise<IssuedRecoveryCode>;
  /** "Get a new code" on the account page: needs a step-up; the user is told. */
  regenerate(auth: AuthenticatedSession, origin: RequestOrigin): Promise<IssuedRecoveryCode>;
  /** The user confirmed they saved the live code. */
  markSaved(account: Account, origin: RequestOrigin): Promise<void>;
}

export function createRecoveryCodeService(d: RecoveryCodeServiceDeps): RecoveryCodeService {
  const { clock } = d;

  async function prepare(accountId: string): Promise<PreparedRecoveryCode> {
    const digits = (await d.policies.forAccount(accountId)).recoveryCode.digits;
    const code = newRecoveryCode(digits);
    return { code, hash: await d.passwords.hash(code), digits };
  }

  /** A new code (hashed first); the old one replaced, audited and, with `notice`, the user told. */
  async function issue(
    account: Account,
    reason: IssueReason,
    origin: RequestOrigin,
    notice?: string,
    prepared?: PreparedRecoveryCode,
  ): Promise<IssuedRecoveryCode> {
    const { code, hash, digits } = prepared ?? (await prepare(account.id));
    const record = await d.units.transaction(async () => {
      const replaced = await d.recoveryCodes.replace(account.id, hash, digits, clock.now());
      await d.audit.record({
        action: 'recovery_code.issued',
        actorId: account.id,
        targetId: account.id,
        origin,
        details: { reason, digits },
      });
      if (notice) await d.notify(securityNotice(d.portalName, account.email, notice));
      return replaced;
    });
    return { code, record };
  }

  return {
    live: (accountId) => d.recoveryCodes.live(accountId),

    prepare,

    issue: (account, reason, origin, prepared) =>
      issue(account, reason, origin, undefined, prepared),

    async regenerate(auth, origin) {
      await assertMayAdd(d.policies, auth.account.id, 'recovery_code');
      await d.stepUp.require(auth);
      const hadOne = (await d.recoveryCodes.live(auth.account.id)) !== undefined;
      return issue(
        auth.account,
        'requested',
        origin,
        hadOne
          ? 'A new recovery code was created for your account. The old one no longer works.'
          : 'A recovery code was created for your account.',
      );
    },

    async markSaved(account, origin) {
      await d.units.transaction(async () => {
        const live = await d.recoveryCodes.live(account.id);
        if (!live || !(await d.recoveryCodes.markSaved(live.id, clock.now())))
          throw new AppError('RECOVERY_CODE_NOT_FOUND');
        await d.audit.record({
          action: 'recovery_code.saved',
          actorId: account.id,
          targetId: account.id,
          origin,
        });
      });
    },

    ...d.verifier,
  };
}
