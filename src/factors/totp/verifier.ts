/**
 * Checking a code of the account's authenticator app (sign-in second factor, step-up): the
 * attempt counts against the account first (S5); the code must be of step T or T-1 and newer
 * than the last accepted step, which is recorded atomically (S13), so a code works once.
 */
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { AppError } from '../../errors/app-error.js';
import type { TotpRepo } from './repo.js';
import { matchStep } from './totp.js';
import { countedCheck, Refused } from '../counted-check.js';

/** Associated data that binds a sealed secret to its row. */
export const factorAad = (factorId: string) => `totp:${factorId}`;

export const wrongTotpCode = () =>
  new AppError('CODE_INVALID', {
    message: 'That code is not right. Enter the code your authenticator app shows now.',
  });

export interface TotpVerifierDeps {
  clock: Clock;
  box: SecretBox;
  totps: TotpRepo;
  throttle: Throttle;
  audit: AuditLog;
}

export interface TotpVerifier {
  /** Resolves when `code` is a fresh code of the account's app; throws the user's error otherwise. */
  verify(input: {
    accountId: string;
    code: string;
    /** What a failure's audit event records (`second_factor`, `step_up`). */
    purpose: string;
    origin: RequestOrigin;
    onFailure?: () => void;
  }): Promise<void>;
}

export function createTotpVerifier(d: TotpVerifierDeps): TotpVerifier {
  const { clock } = d;
  return {
    async verify({ accountId, code, purpose, origin, onFailure }) {
      const counted = { accountId, purpose, origin, ...(onFailure ? { onFailure } : {}) };
      await countedCheck(d, counted, async () => {
        const factor = await d.totps.find(accountId);
        if (!factor) throw new AppError('TOTP_NOT_FOUND');
        const secret = d.box.open(
          { keyId: factor.key_id, ciphertext: factor.secret_ciphertext },
          factorAad(factor.id),
        );
        const now = clock.now();
        const step = matchStep(secret, code, now);
        if (step === null) return new Refused('invalid', wrongTotpCode());
        // The replay guard (S13): only a step after the last accepted one moves it forward.
        if (!(await d.totps.accept(factor.id, step, now)))
          return new Refused('replayed', new AppError('CODE_ALREADY_USED'));
        return undefined;
      });
    },
  };
}
