/**
 * Store conformance: sessions (S16, S17, S19) — found by the token only, stored as a keyed
 * hash, ended by idle and absolute timeouts, touched at most once a minute, ended only by
 * their owner, and refused once the account is no longer active.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { randomToken } from '../../src/crypto/random.js';
import { createSessionService, type SessionService } from '../../src/sessions/sessions.js';
import type { Account } from '../../src/store/schema.js';
import type { TestStore } from '../helpers/stores.js';
import { hasher, insertAccount, origin, rowsAsText, storeDialects } from './fixtures.js';

const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 12 * 3_600_000;
const MINUTE = 60_000;

describe.each(storeDialects)('sessions on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let sessions: SessionService;
  let ann: Account;
  let bob: Account;

  const create = (account: Account = ann) =>
    sessions.create({
      accountId: account.id,
      aal: 'aal1',
      amr: [{ method: 'pwd', at: clock.now() }],
      origin,
    });

  const lastSeen = async (id: string) =>
    (
      await t.store.db
        .selectFrom('sessions')
        .select('last_seen_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).last_seen_at;

  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    sessions = createSessionService(t.store.db, clock, hasher, {
      idleMs: IDLE_MS,
      absoluteMs: ABSOLUTE_MS,
    });
    ann = await insertAccount(t.store.db, clock, { email: 'ann@example.org' });
    bob = await insertAccount(t.store.db, clock, { email: 'bob@example.org' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('finds the session and its account by the token', async () => {
    const { token, session } = await create();
    const auth = await sessions.authenticate(token);
    expect(auth?.session.id).toBe(session.id);
    expect(auth?.account).toMatchObject({ id: ann.id, email: 'ann@example.org', state: 'active' });
    expect(auth?.amr).toEqual([{ method: 'pwd', at: clock.now() }]);
    expect(auth?.idleExpiresAt).toBe(clock.now() + IDLE_MS);
  });

  it('finds nothing for a wrong token', async () => {
    const { token } = await create();
    expect(await sessions.authenticate(randomToken())).toBeUndefined();
    expect(await sessions.authenticate(token.slice(0, -1))).toBeUndefined();
    expect(await sessions.authenticate('')).toBeUndefined();
  });

  it('stores no plaintext token anywhere in the row', async () => {
    const { token, session } = await create();
    expect(session.token_hash).not.toBe(token);
    expect(session.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const rows = await rowsAsText(t.store.db, 'sessions');
    expect(rows).toHaveLength(1);
    for (const text of rows) expect(text).not.toContain(token);
  });

  it('ends a session after the idle timeout', async () => {
    const { token } = await create();
    clock.advance(IDLE_MS - 1);
    expect(await sessions.authenticate(token)).toBeDefined();
    clock.advance(IDLE_MS);
    expect(await sessions.authenticate(token)).toBeUndefined();
  });

  it('ends an untouched session at exactly the idle timeout', async () => {
    const { token } = await create();
    clock.advance(IDLE_MS);
    expect(await sessions.authenticate(token)).toBeUndefined();
    expect(await sessions.list(ann.id)).toEqual([]);
  });

  it('keeps an active session alive across many idle periods', async () => {
    const { token } = await create();
    for (let i = 0; i < 5; i++) {
      clock.advance(IDLE_MS - MINUTE);
      expect(await sessions.authenticate(token)).toBeDefined();
    }
  });

  it('ends even an active session at the absolute timeout', async () => {
    const { token, session } = await create();
    while (clock.now() + 20 * MINUTE < session.expires_at) {
      clock.advance(20 * MINUTE);
      expect(await sessions.authenticate(token)).toBeDefined();
    }
    clock.set(session.expires_at - 1);
    expect(await sessions.authenticate(token)).toBeDefined();
    clock.set(session.expires_at);
    expect(await sessions.authenticate(token)).toBeUndefined();
    expect(session.expires_at).toBe(session.created_at + ABSOLUTE_MS);
  });

  it('writes last_seen_at at most once a minute', async () => {
    const { token, session } = await create();
    const start = session.last_seen_at;
    clock.advance(MINUTE - 1);
    await sessions.authenticate(token);
    expect(await lastSeen(session.id)).toBe(start);
    clock.advance(1);
    const auth = await sessions.authenticate(token);
    expect(await lastSeen(session.id)).toBe(start + MINUTE);
    expect(auth?.idleExpiresAt).toBe(start + MINUTE + IDLE_MS);
    clock.advance(30_000);
    await sessions.authenticate(token);
    expect(await lastSeen(session.id)).toBe(start + MINUTE);
  });

  it('lists only the account’s live sessions, newest activity first', async () => {
    const first = await create();
    clock.advance(2 * MINUTE);
    const second = await create();
    await create(bob);
    const listed = await sessions.list(ann.id);
    expect(listed.map((s) => s.id)).toEqual([second.session.id, first.session.id]);
  });

  it('lets the owner end a session', async () => {
    const { token, session } = await create();
    expect(await sessions.end(ann.id, session.id)).toBe(true);
    expect(await sessions.authenticate(token)).toBeUndefined();
    expect(await sessions.end(ann.id, session.id)).toBe(false);
  });

  it('does not let another account end a session', async () => {
    const { token, session } = await create();
    expect(await sessions.end(bob.id, session.id)).toBe(false);
    expect(await sessions.authenticate(token)).toBeDefined();
  });

  it('ends every other session of the account and keeps the current one', async () => {
    const current = await create();
    const others = [await create(), await create()];
    const bobs = await create(bob);
    expect(await sessions.endOthers(ann.id, current.session.id)).toBe(2);
    expect(await sessions.authenticate(current.token)).toBeDefined();
    for (const other of others) expect(await sessions.authenticate(other.token)).toBeUndefined();
    expect(await sessions.authenticate(bobs.token)).toBeDefined();
  });

  it('ends all sessions of the account only', async () => {
    const mine = [await create(), await create()];
    const bobs = await create(bob);
    expect(await sessions.endAll(ann.id)).toBe(2);
    for (const s of mine) expect(await sessions.authenticate(s.token)).toBeUndefined();
    expect(await sessions.authenticate(bobs.token)).toBeDefined();
  });

  it('does not authenticate a session of a disabled account', async () => {
    const { token } = await create();
    await t.store.db
      .updateTable('accounts')
      .set({ state: 'disabled' })
      .where('id', '=', ann.id)
      .execute();
    expect(await sessions.authenticate(token)).toBeUndefined();
  });

  it('gives every session a different token', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await create()).token);
    expect(tokens.size).toBe(20);
    for (const token of tokens)
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });
});
