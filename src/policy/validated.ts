/**
 * A policy check's `PolicyError` as the API's `400 POLICY_INVALID`, naming the first field at
 * fault and every problem (the admin API's deployment policy and organisation overrides).
 */
import { AppError } from '../errors/app-error.js';
import { PolicyError } from './schema.js';

/**
 * A PolicyError as the API answers it: 400 with every problem in the message, and the first bad
 * field in `details.field` the way validation names fields (`enforcement.date`).
 */
export function policyInvalid(err: PolicyError): AppError {
  const path = /^\/([^:]*):/.exec(err.problems[0] ?? '')?.[1] ?? '';
  return new AppError('POLICY_INVALID', {
    message: `The policy is not valid: ${err.problems.join('; ')}.`,
    details: { field: path.replace(/\//g, '.') || null, problems: err.problems.join('; ') },
  });
}

/** Runs a policy check; its PolicyError becomes the API's POLICY_INVALID. */
export function validated<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof PolicyError) throw policyInvalid(err);
    throw err;
  }
}
