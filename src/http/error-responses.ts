/**
 * The error answers in route schemas and the OpenAPI document. `errors(...codes)` is the one place
 * a route lists the registered codes it may answer: each status gets the error body with `code`
 * as an enum of that status's codes, so the document (and the pages' generated types) say which
 * codes each route answers. `ErrorCode` names every registered code, with its default message.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { errorCodes, type ErrorCode } from '../errors/codes.js';

const allCodes = Object.keys(errorCodes) as ErrorCode[];

const listed = (codes: readonly ErrorCode[]) =>
  codes.map((code) => `- \`${code}\` (${errorCodes[code].status}): ${errorCodes[code].message}`);

/** Every registered code (src/errors/codes.ts), its status and default message in the description. */
export const ErrorCodeSchema = Type.Unsafe<ErrorCode>({
  $id: 'ErrorCode',
  type: 'string',
  enum: allCodes,
  description: ['Every registered error code, with its status and default message:', '']
    .concat(listed(allCodes))
    .join('\n'),
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Ref('ErrorCode'),
      message: Type.String({ description: 'Safe to show to the user.' }),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { $id: 'ErrorBody', description: 'Every error answer has this shape.' },
);

/**
 * The error body answering one of `codes`. `code` is a string with an enum — never a `const` or
 * a union — so the serializer writes whatever code is sent (fast-json-stringify applies no enum).
 */
function errorAnswer(codes: readonly ErrorCode[], intro: string): TSchema {
  return Type.Object(
    {
      error: Type.Object({
        code: Type.Unsafe<ErrorCode>({
          type: 'string',
          enum: [...codes],
          description: 'Stable UPPER_SNAKE code from the error registry.',
        }),
        message: Type.String({ description: 'Safe to show to the user.' }),
        details: Type.Optional(Type.Object({}, { additionalProperties: true })),
      }),
    },
    { description: [intro, ''].concat(listed(codes)).join('\n') },
  );
}

/** A one-time code refused (S8): wrong (with the tries left), expired, or out of tries. */
export const oneTimeCodeErrors = [
  'CODE_INVALID',
  'CODE_EXPIRED',
  'CODE_ATTEMPTS_EXCEEDED',
] as const;
/** A code sent by text, call or email (S10): too soon, over a limit or budget, undelivered. */
export const codeSendErrors = [
  'RESEND_TOO_SOON',
  'SEND_LIMIT_REACHED',
  'SEND_BUDGET_EXHAUSTED',
  'DELIVERY_FAILED',
] as const;
/** A new password refused by the rules (S2, S3). */
export const passwordRuleErrors = [
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_TOO_COMMON',
  'PASSWORD_HAS_CONTEXT',
] as const;
/** A phone number refused (S11), or a text asked of a number that takes calls only. */
export const phoneNumberErrors = [
  'PHONE_INVALID',
  'PHONE_EXTENSION_NOT_ALLOWED',
  'PHONE_TYPE_NOT_SUPPORTED',
  'PHONE_COUNTRY_NOT_ALLOWED',
  'CHANNEL_NOT_AVAILABLE',
] as const;

/** Codes every route may answer, at a status of their own: a malformed request, the CSRF check. */
export const everyRoute: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'CSRF_CHECK_FAILED',
];

/** Codes any route may answer besides the ones it lists (the document's `default` answer). */
export const anyRoute: readonly ErrorCode[] = [
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'TOO_MANY_REQUESTS',
  'INTERNAL_ERROR',
  'DECRYPTION_FAILED',
  'DATABASE_UNAVAILABLE',
  'REDIS_UNAVAILABLE',
];

/** The `default` answer of every route, named once in the document's components. */
export const AnyRouteError = Type.Unsafe({
  ...errorAnswer(
    anyRoute,
    'Answers any route may give besides those it lists (`TOO_MANY_REQUESTS`: the routes limited per client IP):',
  ),
  $id: 'AnyRouteError',
});

/**
 * Response entries for the codes a route may answer: one per status (with the codes of every
 * route: 400 `VALIDATION_FAILED`, `MALFORMED_JSON`; 403 `CSRF_CHECK_FAILED`), and `default` for
 * the answers any route may give (a body too large, the per-IP limit, an outage, a failure, a
 * stored secret that cannot be read).
 */
export function errors(...codes: ErrorCode[]): Record<number | 'default', TSchema> {
  const byStatus = new Map<number, Set<ErrorCode>>();
  const add = (code: ErrorCode) => {
    const status = errorCodes[code].status;
    const set = byStatus.get(status) ?? new Set<ErrorCode>();
    byStatus.set(status, set.add(code));
  };
  for (const code of [...everyRoute, ...codes]) add(code);
  // An any-route code whose status the route names is listed there too, as OpenAPI's `default`
  // covers only the statuses not listed.
  for (const code of anyRoute) if (byStatus.has(errorCodes[code].status)) add(code);
  const out: Record<number | 'default', TSchema> = {
    default: Type.Ref('AnyRouteError'),
  };
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    out[status] = errorAnswer([...byStatus.get(status)!], `Status ${status}, one of:`);
  }
  return out;
}
