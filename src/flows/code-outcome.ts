/**
 * Checking a one-time code, the same way in every flow: the attempt is counted against the
 * account before the code is compared (S5), a failure is audited and becomes the user's error
 * ("N tries left", expired, too many tries), a success resets the account's counter.
 */
import type { Throttle } from '../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import { AppError } from '../errors/app-error.js';
import type { CodeBinding, CodeOutcome, CodeService } from '../factors/otp-code/codes.js';

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

export interface CodeCheckDeps {
  throttle: Throttle;
  codes: CodeService;
  audit: AuditLog;
}

/** Resolves when the code is right; throws the user's error otherwise. */
export async function checkCode(
  d: CodeCheckDeps,
  input: {
    binding: CodeBinding;
    code: string;
    accountId: string;
    origin: RequestOrigin;
    onFailure?: () => void;
  },
): Promise<void> {
  const subject = `code:${input.accountId}`;
  await d.throttle.attempt(subject);
  const result = await d.codes.verify(input.binding, input.code.trim());
  if (result.kind !== 'verified') {
    await d.audit.record({
      action: 'code.failed',
      actorId: input.accountId,
      targetId: input.accountId,
      origin: input.origin,
      details: { purpose: input.binding.purpose, result: result.kind },
    });
    input.onFailure?.();
    throw codeOutcomeError(result);
  }
  await d.throttle.reset(subject);
}
