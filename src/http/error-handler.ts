/**
 * Turns every failure into `{ error: { code, message, details? } }` (S7): registered codes for
 * bad input, a generic body for anything unexpected, never a stack trace. Causes are logged.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { errorCodes, type ErrorCode } from '../errors/codes.js';
import { declaredOrRefused } from './declared-errors.js';
import { DependencyUnavailableError, RETRY_AFTER_SECONDS } from '../errors/unavailable.js';

export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).send({
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    },
  });
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function describeValidation(
  issue: ValidationIssue | undefined,
  part: string | undefined,
): AppError {
  if (!issue) return new AppError('VALIDATION_FAILED');
  const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  let field = path;
  let message: string;
  if (issue.keyword === 'required') {
    field = [path, String(issue.params.missingProperty)].filter(Boolean).join('.');
    message = `The field "${field}" is required.`;
  } else if (issue.keyword === 'additionalProperties') {
    field = [path, String(issue.params.additionalProperty)].filter(Boolean).join('.');
    message = `The field "${field}" is not allowed here.`;
  } else if (issue.keyword === 'type' && path === '') {
    message = `The request ${part ?? 'body'} must be a JSON ${String(issue.params.type)}.`;
  } else {
    message = `The field "${field}" ${issue.message ?? 'is not valid'}.`;
  }
  return new AppError('VALIDATION_FAILED', {
    message,
    details: { field: field || null, location: part ?? 'body' },
  });
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_BAD_URL: 'NOT_FOUND',
  FST_ERR_MAX_PARAM_LENGTH: 'NOT_FOUND',
};

const unavailableCodes = {
  database: 'DATABASE_UNAVAILABLE',
  redis: 'REDIS_UNAVAILABLE',
} as const satisfies Record<DependencyUnavailableError['dependency'], ErrorCode>;

/** A dependency that cannot serve now (S31): its registered 503, and when to come back. */
export function unavailable(error: DependencyUnavailableError): AppError {
  const seconds = String(RETRY_AFTER_SECONDS);
  return new AppError(unavailableCodes[error.dependency], {
    details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    headers: { 'retry-after': seconds },
    cause: error,
  });
}

export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DependencyUnavailableError) return unavailable(error);
  const fe = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe.validation) return describeValidation(fe.validation[0], fe.validationContext);
  const mapped = fe.code ? fastifyCodes[fe.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (error instanceof SyntaxError && fe.statusCode === 400) return new AppError('MALFORMED_JSON');
  if (fe.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', { message: errorCodes.VALIDATION_FAILED.message });
  }
  return new AppError('INTERNAL_ERROR', { cause: error });
}

/**
 * With `strictErrors` (the test configuration), a code the route does not declare answers 500
 * `UNDECLARED_ERROR` (`declared-errors.ts`); without it, every error answers as it is.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  opts: { strictErrors?: boolean } = {},
): void {
  app.setErrorHandler((error, request, reply) => {
    const answer = toAppError(error as FastifyError);
    const appError = opts.strictErrors ? declaredOrRefused(request, answer) : answer;
    if (appError.cause instanceof DependencyUnavailableError)
      request.log.warn({ code: appError.code }, appError.cause.message);
    else if (appError.status >= 500)
      request.log.error({ err: appError.cause ?? error }, 'request failed');
    else if (appError.cause)
      request.log.warn({ err: appError.cause, code: appError.code }, 'request refused');
    return sendError(reply, appError);
  });
}
