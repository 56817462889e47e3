/**
 * A route answers only the error codes it declares (issue 12): the codes `errors(...)` lists in
 * its response schema, which the OpenAPI document and the pages' generated types carry.
 * - a route's codes are read from its response schemas (each 4xx/5xx answer's `code` enum), once;
 * - implicit for every route: what every `errors()` list carries anyway (a malformed request, the
 *   CSRF check; the `default` answer's size, per-IP limit, outages and failures) and `NOT_FOUND`;
 *   the not-found handler (an unknown address) is no route and is not checked;
 * - under `strictErrors` (the test configuration) an undeclared code answers 500
 *   `UNDECLARED_ERROR`, logged with its route; without it the error answers as it is.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../errors/codes.js';
import { anyRoute, everyRoute } from './error-responses.js';

const implicit: readonly ErrorCode[] = [...everyRoute, ...anyRoute, 'NOT_FOUND'];
const implicitOnly: ReadonlySet<string> = new Set(implicit);

interface ErrorAnswer {
  properties?: { error?: { properties?: { code?: { enum?: unknown[] } } } };
}

/** The codes a route with these response schemas may answer, the implicit ones included. */
export function declaredCodes(response: unknown): ReadonlySet<string> {
  if (!response || typeof response !== 'object') return implicitOnly;
  const codes = new Set<string>(implicit);
  for (const [status, schema] of Object.entries(response)) {
    if (!/^[45]\d\d$/.test(status)) continue;
    const listed = (schema as ErrorAnswer).properties?.error?.properties?.code?.enum ?? [];
    for (const code of listed) codes.add(String(code));
  }
  return codes;
}

const byRoute = new WeakMap<object, ReadonlySet<string>>();

function routeCodes(request: FastifyRequest): ReadonlySet<string> {
  const response: unknown = request.routeOptions.schema?.response;
  if (!response || typeof response !== 'object') return implicitOnly;
  let codes = byRoute.get(response);
  if (!codes) byRoute.set(response, (codes = declaredCodes(response)));
  return codes;
}

/**
 * `error` when the route declares its code (or answers no route: the not-found handler);
 * otherwise `UNDECLARED_ERROR`, naming the route and the code (test configuration only).
 */
export function declaredOrRefused(request: FastifyRequest, error: AppError): AppError {
  if (request.is404 || routeCodes(request).has(error.code)) return error;
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  return new AppError('UNDECLARED_ERROR', {
    details: { route, code: error.code },
    cause: new Error(`${route} answered ${error.code}, which its schema does not declare`, {
      cause: error,
    }),
  });
}
