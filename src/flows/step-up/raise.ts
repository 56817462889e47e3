/**
 * What an AAL1 session must do to reach AAL2 (S9, S23): a step-up with a second factor the user
 * already holds — a passkey, the authenticator app, or a code to their phone — and never an
 * email code (which proves the inbox, not a factor). The admin context answers with this hint so
 * a page (or a portal's own UI) can start that step-up: `details.stepUp` is the route to call and
 * `details.methods` the channels, comma-separated, that would raise the session; empty when the
 * user holds none yet (they add one on the security page first).
 */
import { AppError } from '../../errors/app-error.js';
import { methodOf } from '../../factors/registry.js';
import type { StepUpMethod } from './service.js';

/** The route that starts a step-up (`{ channel }` in its body). */
export const STEP_UP_ROUTE = '/api/v1/step-up/start';

const words: Record<StepUpMethod, string> = {
  passkey: 'a passkey',
  totp: 'your authenticator app',
  sms: 'a code sent to your phone by text',
  voice: 'a code read out in a call to your phone',
  email: 'an email code',
};

/** The step-up methods that raise a session: every held factor, never an email code. */
export const raisingMethods = (methods: readonly StepUpMethod[]): StepUpMethod[] =>
  methods.filter((m) => methodOf(m).raisesAal);

/** `403 AAL2_REQUIRED` with the step-up that would raise the session. */
export function aal2Required(methods: readonly StepUpMethod[]): AppError {
  const raising = raisingMethods(methods);
  const base = 'This needs a sign-in with two factors.';
  const message =
    raising.length > 0
      ? `${base} Verify your identity again with ${raising.map((m) => words[m]).join(' or ')}, then try again.`
      : `${base} Add an authenticator app, a passkey or a phone on your security page, then verify your identity with it.`;
  return new AppError('AAL2_REQUIRED', {
    message,
    details: { stepUp: STEP_UP_ROUTE, methods: raising.join(',') },
  });
}
