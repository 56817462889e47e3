/**
 * Checking the recovery code (S14): one argon2id verification whether or not a code exists (a
 * missing one is not told apart by time), counted against the account first (S5). `use` spends
 * it at once (sign-in); `check` only says which code was right and `consume` spends it later
 * (the password reset, which spends it when the new password is set).
 */
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { securityNotice } from '../../delivery/messages.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import type { Account, RecoveryCode } from '../../store/schema.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import { countedCheck, Refused } from '../counted-check.js';
import type { PasswordHasher } from '../password/hashing.js';
import { normalizeRecoveryCode } from './code.js';
import type { RecoveryCodeRepo } from './repo.js';

export interface RecoveryCodeVerifierDeps {
  clock: Clock;
  units: UnitOfWork;
  passwords: PasswordHasher;
  recoveryCodes: RecoveryCodeRepo;
  throttle: Throttle;
  audit: AuditLog;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface RecoveryCodeVerifier {
  /** Uses the account's code once; throws the user's error when it is not right. */
  use(input: {
    account: Account;
    code: string;
    origin: RequestOrigin;
    onFailure?: () => void;
  }): Promise<void>;
  /**
   * Account recovery's first half: checks the code (counted like every second-factor secret)
   * without spending it, and returns which code was right. The recovery spends it with
   * `consume` when it completes, so a recovery given up half-way leaves the code working.
   */
  check(input: { account: Account; code: string; origin: RequestOrigin }): Promise<string>;
  /** Spends a code `check` accepted, once; false when it was used or replaced since. */
  consume(account: Account, codeId: string, origin: RequestOrigin): Promise<boolean>;
}

export function createRecoveryCodeVerifier(d: RecoveryCodeVerifierDeps): RecoveryCodeVerifier {
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

  return {
    async use({ account, code, origin, onFailure }) {
      const counted = { accountId: account.id, purpose: 'recovery_code', origin };
      await countedCheck(d, onFailure ? { ...counted, onFailure } : counted, async () => {
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
      });
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
