/**
 * Recovery codes (S14): issued when the policy asks for one or the user asks, shown once, kept
 * only as an argon2id hash; single use, consumed atomically; after a use a new code is issued
 * (by the caller, which shows it) and the user is told (S21). Every use counts against the
 * account's failure counter before the code is compared (S5).
 */
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { securityNotice } from '../../delivery/messages.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { countedCheck, Refused } from '../counted-check.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import { assertMayAdd } from '../../policy/factor-rules.js';
import type { PolicySource } from '../../policy/source.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Account, RecoveryCode } from '../../store/schema.js';
import type { PasswordHasher } from '../password/hashing.js';
import { newRecoveryCode, normalizeRecoveryCode } from './code.js';
import type { RecoveryCodeRepo } from './repo.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

export interface IssuedRecoveryCode {
  /** The digits, shown once; never stored or logged. */
  code: string;
  record: RecoveryCode;
}

export type IssueReason = 'requested' | 'after_use' | 'required' | 'not_saved';

export interface RecoveryCodeServiceDeps {
  clock: Clock;
  units: UnitOfWork;
  passwords: PasswordHasher;
  recoveryCodes: RecoveryCodeRepo;
  stepUp: FreshVerification;
  throttle: Throttle;
  audit: AuditLog;
  /** The account's policy sets the code's length (`recoveryCode.digits`). */
  policies: PolicySource;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface RecoveryCodeService {
  live(accountId: string): Promise<RecoveryCode | undefined>;
  /** A new code replacing the live one (which stops working at once). */
  issue(account: Account, reason: IssueReason, origin: RequestOrigin): Promise<IssuedRecoveryCode>;
  /** "Get a new code" on the account page: needs a step-up; the user is told. */
  regenerate(auth: AuthenticatedSession, origin: RequestOrigin): Promise<IssuedRecoveryCode>;
  /** The user confirmed they saved the live code. */
  markSaved(account: Account, origin: RequestOrigin): Promise<void>;
  /** Uses the account's code once; throws the user's error when it is not right. */
  use(input: { account: Account; code: string; origin: RequestOrigin }): Promise<void>;
  /**
   * Account recovery's first half: checks the code (counted like every second-factor secret)
   * without spending it, and returns which code was right. The recovery spends it with
   * `consume` when it completes, so a recovery given up half-way leaves the code working.
   */
  check(input: { account: Account; code: string; origin: RequestOrigin }): Promise<string>;
  /** Spends a code `check` accepted, once; false when it was used or replaced since. */
  consume(account: Account, codeId: string, origin: RequestOrigin): Promise<boolean>;
}

export function createRecoveryCodeService(d: RecoveryCodeServiceDeps): RecoveryCodeService {
  const { clock } = d;
  const refused = () => new Refused('invalid', new AppError('RECOVERY_CODE_INVALID'));

  /** The live code when `typed` is it (one argon2id verification either way). */
  async function matches(account: Account, typed: string): Promise<RecoveryCode | undefined> {
    const live = await d.recoveryCodes.live(account.id);
    const digits = normalizeRecoveryCode(typed);
    if (!live || digits === null || digits.length !== live.digits) {
      // Same cost as a real comparison: a missing code is not told apart by time.
      await d.passwords.verify(null, typed);
      return undefined;
    }
    return (await d.passwords.verify(live.code_hash, digits)) ? live : undefined;
  }

  async function used(account: Account, origin: RequestOrigin, purpose: string) {
    await d.audit.record({
      action: 'recovery_code.used',
      actorId: account.id,
      targetId: account.id,
      origin,
      details: { purpose },
    });
  }

  /** A new code (hashed first); the old one replaced, audited and, with `notice`, the user told. */
  async function issue(
    account: Account,
    reason: IssueReason,
    origin: RequestOrigin,
    notice?: string,
  ): Promise<IssuedRecoveryCode> {
    const digits = (await d.policies.forAccount(account.id)).recoveryCode.digits;
    const code = newRecoveryCode(digits);
    const hash = await d.passwords.hash(code);
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

    issue,

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
      const live = await d.recoveryCodes.live(account.id);
      if (!live || !(await d.recoveryCodes.markSaved(live.id, clock.now())))
        throw new AppError('RECOVERY_CODE_NOT_FOUND');
      await d.audit.record({
        action: 'recovery_code.saved',
        actorId: account.id,
        targetId: account.id,
        origin,
      });
    },

    async use({ account, code, origin }) {
      await countedCheck(
        d,
        { accountId: account.id, purpose: 'recovery_code', origin },
        async () => {
          const right = await matches(account, code);
          if (!right) return refused();
          // Single use: of two concurrent right answers, one marks the code used, the other
          // fails; the use is audited and the user told with it (S32).
          return d.units.transaction(async () => {
            if (!(await d.recoveryCodes.consume(right.id, clock.now()))) return refused();
            await used(account, origin, 'sign_in');
            await d.notify(
              securityNotice(
                d.portalName,
                account.email,
                'Your recovery code was used to sign in to your account. It no longer works; a new one was shown at sign-in.',
              ),
            );
            return undefined;
          });
        },
      );
    },

    check: ({ account, code, origin }) =>
      countedCheck(
        d,
        { accountId: account.id, purpose: 'recovery_code', origin },
        async () => (await matches(account, code))?.id ?? refused(),
      ),

    consume: (account, codeId, origin) =>
      d.units.transaction(async () => {
        if (!(await d.recoveryCodes.consume(codeId, clock.now()))) return false;
        await used(account, origin, 'password_reset');
        return true;
      }),
  };
}
