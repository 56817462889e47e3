/**
 * Sign-in's moves while adding factors, by one rule over the factors' enrolment steps
 * (`factors/enrolments.ts`), so a factor added there joins the table without a line here: each
 * step leads to its own next one, or another factor's first step (another way chosen), or on;
 * the step that saves it leads to any factor's first step, or on, or to signing in again where
 * its enrolment says the policy may ask it (seed 002's phone).
 */
import type { EnrolmentDescriptor } from '../../factors/enrolment.js';

/** `then`: where sign-in goes on to once a factor is added (or its adding skipped). */
export function enrolmentMoves(
  enrolments: readonly EnrolmentDescriptor[],
  then: readonly string[],
): Record<string, string[]> {
  const firsts = enrolments.map((e) => e.order[0]);
  const moves: Record<string, string[]> = {};
  for (const e of enrolments)
    e.order.forEach((step, i) => {
      const next = e.order[i + 1];
      moves[step] = next
        ? [next, ...firsts.filter((s) => s !== e.order[0]), ...then]
        : [...firsts.filter((s) => s !== step), ...then, ...(e.signInAgain ? ['restart'] : [])];
    });
  return moves;
}
