/**
 * Every kind of flow's transition table, walked pair by pair (from × to) against the moves its
 * service makes, written out here a second time: a table widened (or narrowed) by one entry
 * fails. Staying put is a claim, allowed until the flow is final. The stories where a refused
 * move is tried through the running app are in flow-tables.security.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { emailChangeFlow } from '../../src/accounts/email-change.js';
import { passkeyRegistrationFlow } from '../../src/factors/passkey/service.js';
import { phoneEnrolmentFlow } from '../../src/factors/phone/service.js';
import { totpEnrolmentFlow } from '../../src/factors/totp/service.js';
import { resetFlow } from '../../src/flows/password-reset/machine.js';
import { enrolments } from '../../src/factors/enrolments.js';
import { enrolmentMoves } from '../../src/flows/sign-in/enrolment-moves.js';
import { signInFlow } from '../../src/flows/sign-in/machine.js';
import { passkeySignInFlow } from '../../src/flows/sign-in/passkey.js';
import { stepUpFlow } from '../../src/flows/step-up/service.js';
import { allowedMove, type FlowKind } from '../../src/store/flow-store.js';

type Moves = Record<string, string[]>;

const enrol = ['enrol_phone', 'enrol_totp', 'enrol_passkey'];
const on = ['save_recovery_code', 'completed'];

/** Where each step of sign-in goes (service.ts, steps.ts, passkey.ts; `nextStep`). */
const signIn: Moves = {
  // The email code: then whatever is owed (a second factor, the minimum, the recovery code, or
  // nothing: a passkey sign-in or a policy asking no second factor).
  verify_email: ['second_factor', 'confirm_pending_phone', 'choose_mfa', ...enrol, ...on],
  // The number an administrator entered, confirmed: on as after a second factor; or another way
  // (the second factor as before, or the minimum for a user who holds none).
  confirm_pending_phone: ['second_factor', 'choose_mfa', ...enrol, ...on],
  // Passed: never asked again; the minimum, the recovery code or the session.
  second_factor: ['choose_mfa', ...enrol, ...on],
  // A way chosen (its first missing factor), or "Skip for Now".
  choose_mfa: [...enrol, ...on],
  // A number entered; another way chosen; skipped.
  enrol_phone: ['confirm_phone', 'enrol_totp', 'enrol_passkey', ...on],
  // Confirmed: the way's next factor, or on, or sign in again (seed 002); or another way chosen.
  confirm_phone: [...enrol, ...on, 'restart'],
  enrol_totp: ['enrol_phone', 'enrol_passkey', ...on],
  enrol_passkey: ['enrol_phone', 'enrol_totp', ...on],
  save_recovery_code: ['completed'],
  completed: [],
  restart: [],
};

/** The forgotten password (password-reset/service.ts): one proof, or two, then the password. */
const reset: Moves = {
  email_code: ['new_password'],
  recovery_code: ['second_factor'],
  second_factor: ['new_password'],
  new_password: ['save_recovery_code', 'completed'],
  save_recovery_code: ['completed'],
  completed: [],
};

/** Step-up, email change, the enrolments, a passkey sign-in's ceremony: once, then done. */
const session: Moves = { pending: ['done'], done: [] };

const kinds: [FlowKind, Moves][] = [
  [signInFlow, signIn],
  [resetFlow, reset],
  [passkeySignInFlow, session],
  [stepUpFlow, session],
  [emailChangeFlow, session],
  [totpEnrolmentFlow, session],
  [phoneEnrolmentFlow, session],
  [passkeyRegistrationFlow, session],
];

describe.each(kinds.map(([k, moves]) => [k.kind, k, moves] as const))(
  'the %s table',
  (_name, kind, moves) => {
    const states = Object.keys(moves);

    it('has exactly the states its flow can be at', () => {
      expect(Object.keys(kind.transitions).sort()).toEqual([...states].sort());
    });

    it('allows exactly the moves its service makes, and a claim while open', () => {
      const wrong: string[] = [];
      for (const from of states)
        for (const to of states) {
          const open = moves[from]!.length > 0;
          const expected = (open && to === from) || moves[from]!.includes(to);
          if (allowedMove(kind.transitions, from, to) !== expected)
            wrong.push(`${from} → ${to}: ${expected ? 'refused' : 'allowed'}`);
        }
      expect(wrong).toEqual([]);
    });
  },
);

describe('the sign-in table', () => {
  const t = signInFlow.transitions;
  it('lets no step skip to confirming a phone but the one that took the number', () => {
    // A phone confirmed adds it to the account and counts as a factor passed: only a number
    // entered in enrol_phone may lead there.
    for (const from of ['verify_email', 'second_factor', 'choose_mfa', 'enrol_totp'] as const)
      expect(allowedMove(t, from, 'confirm_phone'), from).toBe(false);
    expect(allowedMove(t, 'enrol_phone', 'confirm_phone')).toBe(true);
  });

  it('never goes back to the email code or the second factor', () => {
    // The administrator's number is offered in place of the second factor: "another way" leads
    // to it, once (the flow never comes back to the number).
    const before = ['verify_email', 'confirm_pending_phone', 'second_factor'];
    for (const from of Object.keys(t) as (keyof typeof t)[]) {
      if (from !== 'verify_email') expect(allowedMove(t, from, 'verify_email'), from).toBe(false);
      if (!before.includes(from)) expect(allowedMove(t, from, 'second_factor'), from).toBe(false);
      if (from !== 'verify_email' && from !== 'confirm_pending_phone')
        expect(allowedMove(t, from, 'confirm_pending_phone'), from).toBe(false);
    }
  });
});

describe("sign-in's moves while adding factors", () => {
  const on = ['save_recovery_code', 'completed'];
  it('come from the enrolments by one rule: a new factor joins the table without a line in flows', () => {
    // A hardware token added after the others, in two steps (its serial, then its code).
    const token = {
      factor: 'totp' as const,
      order: ['enrol_token', 'confirm_token'] as [string, string],
      steps: { enrol_token: { fits: () => true }, confirm_token: { fits: () => true } },
    };
    const moves = enrolmentMoves([...enrolments, token], on);
    const firsts = ['enrol_phone', 'enrol_totp', 'enrol_passkey', 'enrol_token'];
    expect(moves.enrol_token!.sort()).toEqual(
      ['confirm_token', 'enrol_phone', 'enrol_totp', 'enrol_passkey', ...on].sort(),
    );
    expect(moves.confirm_token!.sort()).toEqual(
      [...firsts.filter((s) => s !== 'confirm_token'), ...on].sort(),
    );
    // The others may now lead to it, and only its first step; it never signs in again.
    expect(moves.enrol_totp).toContain('enrol_token');
    expect(moves.confirm_phone).toContain('enrol_token');
    expect(
      Object.values(moves).some((to) => to.includes('confirm_token') && to !== moves.enrol_token),
    ).toBe(false);
    expect(moves.confirm_token).not.toContain('restart');
  });
});
