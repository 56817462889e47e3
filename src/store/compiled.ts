/**
 * Statements built and compiled once, then only bound. Kysely's builder and compiler cost more
 * than SQLite takes to run a short indexed read (a fifth of a password sign-in's own work, in a
 * profile), so the hot paths' statements are made once per store with stand-ins for their
 * arguments, and each run puts the arguments where the stand-ins were.
 *
 * `build` must hand each argument to the builder untouched, as a value compared, inserted or
 * set: it runs with stand-ins. One used otherwise (tested, or joined into a string) would give a
 * statement that does not depend on it, or one with the stand-in inside a longer value: both are
 * refused at the first run, before anything is sent.
 */
import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './schema.js';

const STAND_IN = '\u0000portcullis-argument-';

interface Template<R> {
  compiled: CompiledQuery<R>;
  /** For each parameter, the argument that fills it (undefined: a constant of the statement). */
  slots: (number | undefined)[];
}

function compile<A extends unknown[], R>(
  build: (...args: A) => Compilable<R>,
  arity: number,
): Template<R> {
  const standIns = Array.from({ length: arity }, (_, i) => `${STAND_IN}${i}`);
  const compiled = build(...(standIns as A)).compile();
  const slots = compiled.parameters.map((p) => {
    if (typeof p !== 'string' || !p.includes(STAND_IN)) return undefined;
    const slot = standIns.indexOf(p);
    if (slot < 0) throw new Error(`an argument was changed before it reached the statement`);
    return slot;
  });
  for (let i = 0; i < arity; i++)
    if (!slots.includes(i)) throw new Error(`argument ${i} does not reach the statement`);
  return { compiled, slots };
}

/** `build`'s statement, compiled at its first run; each run binds its arguments and returns its rows. */
export function compiledOnce<A extends unknown[], R>(
  db: Db,
  build: (...args: A) => Compilable<R>,
): (...args: A) => Promise<R[]> {
  let template: Template<R> | undefined;
  return async (...args) => {
    template ??= compile(build, args.length);
    const { compiled, slots } = template;
    const parameters = compiled.parameters.map((p, i) => {
      const slot = slots[i];
      return slot === undefined ? p : args[slot];
    });
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
  };
}
