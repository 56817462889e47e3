/**
 * The rule every flow write is checked by (`allowedMove`): along the table, or staying put (a
 * claim) while the flow is open; nothing out of a final state; nothing from a state the table
 * does not know. The stored side (a refused write changes nothing) is in test/store/flows.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { allowedMove, sessionFlowTransitions, type TransitionTable } from './flow-store.js';

type State = 'asked' | 'answered' | 'closed';
const table: TransitionTable<State> = { asked: ['answered'], answered: ['closed'], closed: [] };

describe('allowedMove', () => {
  it('lets a flow take a move its table lists, and no other', () => {
    expect(allowedMove(table, 'asked', 'answered')).toBe(true);
    expect(allowedMove(table, 'answered', 'closed')).toBe(true);
    // Skipping a step, or going back, is not listed.
    expect(allowedMove(table, 'asked', 'closed')).toBe(false);
    expect(allowedMove(table, 'answered', 'asked')).toBe(false);
  });

  it('lets an open flow stay where it is (a claim: a resend, a ceremony taken out)', () => {
    expect(allowedMove(table, 'asked', 'asked')).toBe(true);
    expect(allowedMove(table, 'answered', 'answered')).toBe(true);
  });

  it('refuses every write to a finished flow, staying put included', () => {
    for (const to of ['asked', 'answered', 'closed'] as const)
      expect(allowedMove(table, 'closed', to), `closed → ${to}`).toBe(false);
  });

  it('refuses a flow at a state its table does not know', () => {
    const forged = 'elsewhere' as State;
    expect(allowedMove(table, forged, forged)).toBe(false);
    expect(allowedMove(table, forged, 'closed')).toBe(false);
  });

  it('a session flow is pending until done, then never written again', () => {
    const t = sessionFlowTransitions;
    expect(allowedMove(t, 'pending', 'pending')).toBe(true);
    expect(allowedMove(t, 'pending', 'done')).toBe(true);
    expect(allowedMove(t, 'done', 'done')).toBe(false);
    expect(allowedMove(t, 'done', 'pending')).toBe(false);
  });
});
