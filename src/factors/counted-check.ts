/**
 * Checking a second-factor secret, the same way in every flow: the attempt is counted against
 * the account before the secret is compared (S5), a failure is audited and becomes the user's
 * error ("N tries left", expired, too many tries), a success resets the account's counter.
 */
import type { Throttle } from '../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import { AppError } from '../errors/app-error.js';
import type { CodeBinding, CodeOutcome, CodeService } from './otp-code/codes.js';

export function codeOutcomeError(result: Exclude<CodeOutcome, { kind: 'verified' }>): AppError {
  if (result.kind === 'invalid') {
    const tries = result.attemptsLeft === 1 ? '1 try' : `${result.attemptsLeft} tries`;
    return new AppError('CODE_INVALID', {
      message: `That code is not right. ${tries} left.`,
      details: { attemptsLeft: result.attemptsLeft },
    });
  }
  return new AppError(result.kind === 'expired' ? 'CODE_EXPIRED' : 'CODE_ATTEMPTS_EXCEEDED');
}

/** A failed check: what the audit records, and the user's error. */
export class Refused {
  constructor(
    readonly result: string,
    readonly error: AppError,
  ) {}
}

export interface CountedCheckDeps {
  throttle: Throttle;
  audit: AuditLog;
}

/**
 * The one way every second-factor secret is checked (a sent code, an app code, the recovery
 * code): the attempt is counted against the account first (S5: one `code:<account>` counter for
 * all of them), then `check` runs; a failure is audited and thrown, a success resets the count.
 */
export async function countedCheck<T>(
  d: CountedCheckDeps,
  input: { accountId: string; purpose: string; origin: RequestOrigin; onFailure?: () => void },
  check: () => Promise<T | Refused>,
): Promise<T> {
  const subject = `code:${input.accountId}`;
  await d.throttle.attempt(subject, input.accountId);
  const failure = await check();
  if (failure instanceof Refused) {
    await d.audit.record({
      action: 'code.failed',
      actorId: input.accountId,
      targetId: input.accountId,
      origin: input.origin,
      details: { purpose: input.purpose, result: failure.result },
    });
    input.onFailure?.();
    throw failure.error;
  }
  await d.throttle.reset(subject);
  return failure;
}

export interface CodeCheckDeps extends CountedCheckDeps {
  codes: CodeService;
}

/** Resolves when the sent code is right; throws the user's error otherwise. */
export function checkCode(
  d: CodeCheckDeps,
  input: {
    binding: CodeBinding;
    code: string;
    accountId: string;
    origin: RequestOrigin;
    onFailure?: () => void;
  },
): Promise<void> {
  return countedCheck(d, { ...input, purpose: input.binding.purpose }, async () => {
    const result = await d.codes.verify(input.binding, input.code.trim());
    if (result.kind !== 'verified') return new Refused(result.kind, codeOutcomeError(result));
    return undefined;
  });
}
