/**
 * Store conformance: persisted flows — found only by their live token and kind, stored under a
 * keyed hash of the token, and moved only by a versioned write, so two concurrent submits can
 * never both move the same flow (STYLE §3) — and only along their kind's transition table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { randomToken } from '../../src/crypto/random.js';
import { createFlowStore, type FlowStore } from '../../src/store/flow-store.js';
import type { TestStore } from '../helpers/stores.js';
import {
  expectAppError,
  fulfilled,
  hasher,
  rejectionCodes,
  rowsAsText,
  storeDialects,
} from './fixtures.js';

type State = 'start' | 'middle' | 'done';
interface Data {
  step: number;
}
const testFlow = {
  kind: 'test',
  transitions: { start: ['middle', 'done'], middle: ['done'], done: [] },
} as const;
const TTL_MS = 15 * 60_000;

describe.each(storeDialects)('flows on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let flows: FlowStore;

  const create = () =>
    flows.create<State, Data>({
      kind: 'test',
      state: 'start',
      accountId: null,
      data: { step: 0 },
      ttlMs: TTL_MS,
    });

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    flows = createFlowStore(t.store.db, clock, hasher, [testFlow]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('loads a flow by its token with its state, data and version', async () => {
    const { token, flow } = await create();
    const loaded = await flows.load<State, Data>(token, 'test');
    expect(loaded).toEqual(flow);
    expect(loaded).toMatchObject({ state: 'start', data: { step: 0 }, version: 1 });
    expect(loaded.expiresAt).toBe(clock.now() + TTL_MS);
  });

  it('answers FLOW_NOT_FOUND for an unknown token', async () => {
    await create();
    await expectAppError(flows.load(randomToken(), 'test'), 'FLOW_NOT_FOUND');
  });

  it('answers FLOW_NOT_FOUND for a token of another kind of flow', async () => {
    const { token } = await create();
    await expectAppError(flows.load(token, 'sign_in'), 'FLOW_NOT_FOUND');
  });

  it('answers FLOW_NOT_FOUND at exactly the flow’s expiry time', async () => {
    const { token, flow } = await create();
    clock.set(flow.expiresAt - 1);
    await expect(flows.load(token, 'test')).resolves.toMatchObject({ version: 1 });
    clock.set(flow.expiresAt);
    await expectAppError(flows.load(token, 'test'), 'FLOW_NOT_FOUND');
  });

  it('saves a move and bumps the version', async () => {
    const { token } = await create();
    const loaded = await flows.load<State, Data>(token, 'test');
    const saved = await flows.save(loaded, { state: 'middle', data: { step: 1 } });
    expect(saved.version).toBe(2);
    expect(await flows.load<State, Data>(token, 'test')).toMatchObject({
      state: 'middle',
      data: { step: 1 },
      version: 2,
    });
  });

  it('refuses every move its table does not list, and any write once finished', async () => {
    const { token } = await create();
    const start = await flows.load<State, Data>(token, 'test');
    const middle = await flows.save(start, { state: 'middle', data: { step: 1 } });
    await expectAppError(
      flows.save(middle, { state: 'start', data: { step: 2 } }),
      'FLOW_STATE_CONFLICT',
    );
    // Staying is a claim (a versioned write), allowed while the flow is open.
    const claimed = await flows.save(middle, { state: 'middle', data: { step: 2 } });
    const done = await flows.save(claimed, { state: 'done', data: { step: 3 } });
    await expectAppError(
      flows.save(done, { state: 'done', data: { step: 4 } }),
      'FLOW_STATE_CONFLICT',
    );
    await expectAppError(
      flows.save(done, { state: 'middle', data: { step: 4 } }),
      'FLOW_STATE_CONFLICT',
    );
    expect(await flows.load<State, Data>(token, 'test')).toMatchObject({
      state: 'done',
      data: { step: 3 },
      version: 4,
    });
  });

  it('knows only the kinds given their table', async () => {
    await expect(
      flows.create({ kind: 'other', state: 'start', accountId: null, data: {}, ttlMs: TTL_MS }),
    ).rejects.toThrow(/no transition table/);
    await expect(
      flows.create({ kind: 'test', state: 'elsewhere', accountId: null, data: {}, ttlMs: TTL_MS }),
    ).rejects.toThrow(/not a state/);
  });

  it('refuses a write to a flow of a kind no table was given for, and writes nothing', async () => {
    const { token } = await create();
    const loaded = await flows.load<State, Data>(token, 'test');
    // A flow whose kind the store was not given (say, one forgotten in the wiring).
    const stranger = { ...loaded, kind: 'forgotten' };
    await expect(flows.save(stranger, { state: 'middle', data: { step: 1 } })).rejects.toThrow(
      /"forgotten" has no transition table/,
    );
    expect(await flows.load<State, Data>(token, 'test')).toMatchObject({
      state: 'start',
      version: 1,
    });
  });

  it('answers FLOW_STATE_CONFLICT when saving from a stale version', async () => {
    const { token } = await create();
    const stale = await flows.load<State, Data>(token, 'test');
    await flows.save(stale, { state: 'middle', data: { step: 1 } });
    await expectAppError(
      flows.save(stale, { state: 'done', data: { step: 2 } }),
      'FLOW_STATE_CONFLICT',
    );
    expect(await flows.load<State, Data>(token, 'test')).toMatchObject({
      state: 'middle',
      version: 2,
    });
  });

  it('lets exactly one of two concurrent saves from the same version win', async () => {
    for (let round = 0; round < 5; round++) {
      const { token } = await create();
      const loaded = await flows.load<State, Data>(token, 'test');
      const results = await Promise.allSettled([
        flows.save(loaded, { state: 'middle', data: { step: 1 } }),
        flows.save(loaded, { state: 'done', data: { step: 2 } }),
      ]);
      expect(fulfilled(results)).toBe(1);
      expect(rejectionCodes(results)).toEqual(['FLOW_STATE_CONFLICT']);
      const winner = results.find((r) => r.status === 'fulfilled');
      const after = await flows.load<State, Data>(token, 'test');
      expect(after.version).toBe(2);
      expect(after.state).toBe(winner?.status === 'fulfilled' ? winner.value.state : undefined);
    }
  });

  it('lets exactly one of ten concurrent saves from the same version win', async () => {
    const { token } = await create();
    const loaded = await flows.load<State, Data>(token, 'test');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        flows.save(loaded, { state: 'middle', data: { step: i } }),
      ),
    );
    expect(fulfilled(results)).toBe(1);
    expect((await flows.load(token, 'test')).version).toBe(2);
  });

  it('stores a keyed hash of the token, never the token', async () => {
    const { token, flow } = await create();
    const row = await t.store.db.selectFrom('flows').selectAll().executeTakeFirstOrThrow();
    expect(row.id).toBe(flow.id);
    expect(row.id).not.toBe(token);
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    for (const text of await rowsAsText(t.store.db, 'flows')) expect(text).not.toContain(token);
  });

  it('gives every flow a different token', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await create()).token);
    expect(tokens.size).toBe(20);
  });
});
