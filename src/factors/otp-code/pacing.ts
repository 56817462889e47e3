/**
 * The resend cooldown (S10, `CODE_RESEND_COOLDOWN_SECONDS`), one rule for every code sent:
 *
 * - A **scope** sends at most one code per cooldown for a step (a code purpose), whatever the
 *   number, address or channel: the flow that asks (sign-in, password reset, email change), or —
 *   for the changes a signed-in user makes, each of which starts a flow of its own (step-up, phone
 *   enrolment) — all such flows of the account together, so a new start is no way around it.
 * - The wait runs from the step's live code (sent and neither entered, voided nor undelivered):
 *   once a code is entered, or could not be sent, the next one may go at once.
 * - One exception, the one the pages offer beside the code: the **first** switch, in the flow that
 *   sent the live code, to a channel that flow has not used for the step, for the same person —
 *   "Call me" after a text to the same number (or a text after a call), "Send code to email"
 *   after a phone code (the account's own address). A second switch, a switch back, a new start
 *   or any other number waits like a resend.
 */
import type { CodeChannel } from './challenge.js';

/** Flow kinds started from a signed-in session whose codes share the account's cooldown. */
export const CHANGE_FLOW_KINDS = ['step_up', 'phone_enrolment'] as const;

/** Whose codes one cooldown covers: one flow's, or the account's signed-in changes'. */
export type PaceScope = { flowId: string } | { accountChanges: string };

/** What the scope has sent for a step. */
export interface PaceHistory {
  /** The step's live code, if any. */
  live?: { flowId: string; channel: CodeChannel; destination: string; createdAt: number };
  /** Every channel the live code's flow has sent the step's codes by (entered, voided, …). */
  channelsUsed: ReadonlySet<CodeChannel>;
}

/** Milliseconds until a code of flow `next.flowId` may go to `next`; 0 when it may go now. */
export function cooldownWait(
  history: PaceHistory,
  next: { flowId: string; channel: CodeChannel; to: string },
  now: number,
  cooldownMs: number,
): number {
  const { live } = history;
  if (!live) return 0;
  const wait = live.createdAt + cooldownMs - now;
  if (wait <= 0) return 0;
  const samePerson = next.channel === 'email' || next.to === live.destination;
  const firstSwitch =
    next.flowId === live.flowId &&
    next.channel !== live.channel &&
    !history.channelsUsed.has(next.channel);
  return samePerson && firstSwitch ? 0 : wait;
}
