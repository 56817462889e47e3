// Checks of the typing in api-client.ts, made by `npm run typecheck:web` (no page imports this
// file, and it never runs): should a route's codes, body or answer ever widen to `string` or
// `unknown`, the pages would still type-check against anything, and these lines stop doing so.
import { api } from './api';
import { isApiError } from './api-client';

export function apiClientTypeChecks(
  caught: unknown,
  config: Awaited<ReturnType<typeof api.config>>,
) {
  api.skipPhone.failedWith(caught, 'FLOW_NOT_FOUND');
  // @ts-expect-error: POST /sign-in/skip declares no such code.
  api.skipPhone.failedWith(caught, 'PASSKEY_BLOCKED');
  isApiError(caught, 'CODE_EXPIRED');
  // @ts-expect-error: the registry has no such code.
  isApiError(caught, 'CODE_EXPIRD');
  // @ts-expect-error: GET /config answers no such field.
  void config.selfSignup;
  // @ts-expect-error: the argument must be a session id (a string).
  void api.endSession(1);
  return config.selfSignUp;
}
