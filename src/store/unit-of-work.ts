/**
 * One transaction around a change and everything written because of it: its audit event and its
 * messages in the outbox (S32: a notice is written with the change that causes it, or not at all).
 *
 * - `transaction(fn)` runs `fn` with every repository's `db` bound to one database transaction
 *   (the store's `db` is a view that follows the transaction of the running unit); a nested
 *   `transaction`, or a repository's own `db.transaction()`, joins the unit rather than opening a
 *   second one (on SQLite's one connection, a second would wait for ever).
 * - `afterCommit(fn)` runs `fn` once the unit has committed (at once outside a unit), outside the
 *   unit's context, so work it starts (sending a message) never uses the finished transaction.
 * - `outside(fn)` runs `fn` with the plain database, even when called inside a unit.
 * - Keep a unit to database work only: nothing slow (a password hash, a provider call) inside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';

export interface UnitOfWork {
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  afterCommit(fn: () => void): void;
  /** Runs `fn` outside any unit (work that must see only what is committed). */
  outside<T>(fn: () => T): T;
}

interface Unit<DB> {
  tx: Transaction<DB>;
  committed: (() => void)[];
}

/**
 * `view` is what repositories hold: outside a unit it is the database itself, inside one it is
 * that unit's transaction.
 */
export function createUnitOfWork<DB>(db: Kysely<DB>): { view: Kysely<DB>; units: UnitOfWork } {
  const current = new AsyncLocalStorage<Unit<DB>>();
  const bound = new Map<PropertyKey, unknown>();

  const view = new Proxy(db, {
    get(target, prop) {
      const unit = current.getStore();
      if (unit) {
        // A transaction inside the unit is the unit's own.
        if (prop === 'transaction') return () => joined(unit.tx);
        const value: unknown = Reflect.get(unit.tx, prop, unit.tx);
        return typeof value === 'function' ? (value as () => unknown).bind(unit.tx) : value;
      }
      let value = bound.get(prop);
      if (value === undefined) {
        value = Reflect.get(target, prop, target);
        if (typeof value === 'function') value = (value as () => unknown).bind(target);
        bound.set(prop, value);
      }
      return value;
    },
  });

  const units: UnitOfWork = {
    async transaction(fn) {
      if (current.getStore()) return fn();
      const committed: (() => void)[] = [];
      const result = await db.transaction().execute((tx) => current.run({ tx, committed }, fn));
      current.exit(() => {
        for (const callback of committed) callback();
      });
      return result;
    },
    afterCommit(fn) {
      const unit = current.getStore();
      if (unit) unit.committed.push(fn);
      else current.exit(fn);
    },
    outside: (fn) => current.exit(fn),
  };
  return { view, units };
}

/** What `db.transaction()` gives inside a unit: the unit's transaction itself. */
function joined<DB>(tx: Transaction<DB>) {
  const builder = {
    setIsolationLevel: () => builder,
    setAccessMode: () => builder,
    execute: <T>(fn: (t: Transaction<DB>) => Promise<T>) => fn(tx),
  };
  return builder;
}
