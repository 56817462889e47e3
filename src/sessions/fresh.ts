/**
 * What a change to a factor, the email or the password asks of the session before it is made
 * (S20): a verification within the policy's window. The step-up flow provides it; the factors
 * and accounts that need it know only this, never the flow.
 */
import type { AuthenticatedSession } from './sessions.js';

export interface FreshVerification {
  /** Throws STEP_UP_REQUIRED unless the session stepped up within the policy's window. */
  require(auth: AuthenticatedSession): Promise<void>;
}
