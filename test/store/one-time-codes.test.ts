/**
 * Store conformance: one-time codes (S8) — single use, at most five wrong tries, expiry by the
 * server clock, bound to one flow and purpose, a new code voids the old, stored only as a keyed
 * hash, and single use still holds when many requests race (real concurrency on PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import {
  createCodeService,
  MAX_CODE_ATTEMPTS,
  type CodeBinding,
  type CodePurpose,
  type CodeService,
} from '../../src/factors/otp-code/codes.js';
import type { TestStore } from '../helpers/stores.js';
import { hasher, storeDialects } from './fixtures.js';

const VALIDITY_MS = 10 * 60_000;

/** The same length, one digit changed: always wrong. */
function wrong(code: string): string {
  return String((Number(code[0]) + 1) % 10) + code.slice(1);
}

describe.each(storeDialects)('one-time codes on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let codes: CodeService;
  const flowA: CodeBinding = { flowId: 'flow-a', purpose: 'verify_email' };

  const issue = (binding: CodeBinding = flowA) =>
    codes.issue({
      ...binding,
      accountId: null,
      channel: 'email',
      destination: 'ann@example.org',
      length: 6,
      validityMs: VALIDITY_MS,
    });

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    codes = createCodeService(t.store.db, clock, hasher);
  });
  afterEach(async () => {
    await t.close();
  });

  it('verifies a code once and refuses it the second time', async () => {
    const { code } = await issue();
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
    expect((await codes.verify(flowA, code)).kind).not.toBe('verified');
  });

  it('counts down the tries on each wrong code', async () => {
    const { code } = await issue();
    for (let left = MAX_CODE_ATTEMPTS - 1; left >= 1; left--) {
      expect(await codes.verify(flowA, wrong(code))).toEqual({
        kind: 'invalid',
        attemptsLeft: left,
      });
    }
    expect(await codes.active(flowA)).toMatchObject({ attemptsLeft: 1 });
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
  });

  it('refuses even the right code after five wrong tries', async () => {
    const { code } = await issue();
    const answers = [];
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++)
      answers.push(await codes.verify(flowA, wrong(code)));
    expect(answers.at(-1)).toEqual({ kind: 'exhausted' });
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'exhausted' });
  });

  it('accepts a code just before it expires', async () => {
    const { code, expiresAt } = await issue();
    clock.set(expiresAt - 1);
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
  });

  it('refuses a code at exactly its expiry time', async () => {
    const { code, expiresAt } = await issue();
    expect(expiresAt).toBe(clock.now() + VALIDITY_MS);
    clock.set(expiresAt);
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'expired' });
  });

  it('voids the old code when a new one is issued', async () => {
    const first = await issue();
    let second = await issue();
    while (second.code === first.code) second = await issue();
    expect((await codes.verify(flowA, first.code)).kind).not.toBe('verified');
    expect(await codes.verify(flowA, second.code)).toEqual({ kind: 'verified' });
    const live = await t.store.db
      .selectFrom('one_time_codes')
      .select('id')
      .where('consumed_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
  });

  it('gives a new code a fresh set of tries', async () => {
    const first = await issue();
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await codes.verify(flowA, wrong(first.code));
    const second = await issue();
    expect(await codes.active(flowA)).toMatchObject({ attemptsLeft: MAX_CODE_ATTEMPTS });
    expect(await codes.verify(flowA, second.code)).toEqual({ kind: 'verified' });
  });

  it('refuses a code from another flow', async () => {
    const { code } = await issue(flowA);
    const flowB: CodeBinding = { flowId: 'flow-b', purpose: 'verify_email' };
    expect((await codes.verify(flowB, code)).kind).not.toBe('verified');
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
  });

  it('refuses a code issued for another purpose of the same flow', async () => {
    const { code } = await issue(flowA);
    // Only one purpose exists today; any other string stands for the next one.
    const otherPurpose = { flowId: flowA.flowId, purpose: 'change_email' as CodePurpose };
    expect((await codes.verify(otherPurpose, code)).kind).not.toBe('verified');
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
  });

  it('does not let one flow’s new code void another flow’s code', async () => {
    const a = await issue(flowA);
    await issue({ flowId: 'flow-b', purpose: 'verify_email' });
    expect(await codes.verify(flowA, a.code)).toEqual({ kind: 'verified' });
  });

  it('refuses codes that are not digits without spending the code', async () => {
    const { code } = await issue();
    expect((await codes.verify(flowA, ` ${code}`)).kind).toBe('invalid');
    expect((await codes.verify(flowA, `${code}'--`)).kind).toBe('invalid');
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'verified' });
  });

  it('stores only a keyed hash of the code', async () => {
    const { code } = await issue();
    const row = await t.store.db.selectFrom('one_time_codes').selectAll().executeTakeFirstOrThrow();
    expect(row.code_hash).not.toBe(code);
    expect(row.code_hash).not.toContain(code);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const value of Object.values(row)) expect(String(value)).not.toBe(code);
  });

  it('lets exactly one of ten concurrent submits of the right code through', async () => {
    for (let round = 0; round < 5; round++) {
      const binding: CodeBinding = { flowId: `flow-race-${round}`, purpose: 'verify_email' };
      const { code } = await issue(binding);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => codes.verify(binding, code)),
      );
      expect(outcomes.filter((o) => o.kind === 'verified')).toHaveLength(1);
    }
  });

  it('never grants more than five wrong tries to a burst of concurrent guesses', async () => {
    const { code } = await issue();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => codes.verify(flowA, wrong(code))),
    );
    expect(outcomes.filter((o) => o.kind === 'invalid').length).toBeLessThanOrEqual(
      MAX_CODE_ATTEMPTS - 1,
    );
    expect(await codes.verify(flowA, code)).toEqual({ kind: 'exhausted' });
  });

  it('lets only one of two codes issued at the same time ever be used', async () => {
    for (let round = 0; round < 5; round++) {
      const binding: CodeBinding = { flowId: `flow-resend-${round}`, purpose: 'verify_email' };
      await issue(binding);
      const [x, y] = await Promise.all([issue(binding), issue(binding)]);
      // Each code is tried twice, so a second live code would be found whichever is newest.
      const results = [];
      for (const code of [x.code, y.code, x.code, y.code])
        results.push(await codes.verify(binding, code));
      expect(
        results.filter((r) => r.kind === 'verified'),
        'a resend must void every earlier code (S8)',
      ).toHaveLength(1);
    }
  });

  it('leaves exactly one live code when two codes are issued at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const binding: CodeBinding = { flowId: `flow-resend-${round}`, purpose: 'verify_email' };
      await issue(binding);
      await Promise.all([issue(binding), issue(binding)]);
      const live = await t.store.db
        .selectFrom('one_time_codes')
        .select('id')
        .where('flow_id', '=', binding.flowId)
        .where('consumed_at', 'is', null)
        .execute();
      expect(live, 'a resend must void every earlier code (S8)').toHaveLength(1);
    }
  });
});
