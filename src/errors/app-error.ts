import { errorCodes, type ErrorCode } from './codes.js';

export type ErrorDetails = Record<string, string | number | boolean | null>;

/**
 * An error with a stable code from the registry. `message` is safe for users; `cause` is for
 * logs only and is never sent. `headers` are set on the response (e.g. `Retry-After`).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      details?: ErrorDetails;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(options.message ?? errorCodes[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }

  get expose(): boolean {
    return this.status < 500 || this.status === 502 || this.status === 503;
  }
}

/** A 429 with `Retry-After`, in whole seconds (at least 1). */
export function rateLimited(
  code: 'TOO_MANY_ATTEMPTS' | 'RESEND_TOO_SOON' | 'TOO_MANY_REQUESTS',
  retryAfterMs: number,
  message?: string,
): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(code, {
    ...(message ? { message } : {}),
    details: { retryAfterSeconds: seconds },
    headers: { 'retry-after': String(seconds) },
  });
}
