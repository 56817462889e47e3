/**
 * Password hashing (S1): argon2id, m = 19456 KiB, t = 2, p = 1, a fresh salt per hash, the
 * parameters stored in the PHC string with the hash, and a rehash when they rise. At most as many
 * hashes run at once as the process has cores (`availableParallelism`, which honours a CPU
 * affinity): more would only share the same cores, each holding its 19 MiB meanwhile.
 */
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

// Argon2id in @node-rs/argon2's (const enum) Algorithm.
const ARGON2ID = 2;

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const defaultArgon2Params: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant work whether or not `stored` is null (unknown accounts cost the same; S6). */
  verify(stored: string | null, password: string): Promise<boolean>;
  needsRehash(stored: string): boolean;
}

/** Runs at most `slots` of the given tasks at once, the rest in the order they came. */
export function limiter(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function createPasswordHasher(
  params: Argon2Params = defaultArgon2Params,
  concurrency = availableParallelism(),
): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  const limited = limiter(Math.max(1, concurrency));
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => limited(() => hash(password, options)),
    async verify(stored, password) {
      if (stored === null) {
        dummy ??= hash('portcullis-dummy-password', options);
        const known = await dummy;
        await limited(() => verify(known, password)).catch(() => false);
        return false;
      }
      return limited(() => verify(stored, password)).catch(() => false);
    },
    needsRehash(stored) {
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
      if (!m) return true;
      const [mem, time, par] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return mem < params.memoryCost || time < params.timeCost || par !== params.parallelism;
    },
  };
}
