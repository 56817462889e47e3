/**
 * Password hashing (S1): argon2id, m = 19456 KiB, t = 2, p = 1, a fresh salt per hash, the
 * parameters stored in the PHC string with the hash, and a rehash when they rise.
 */
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

export function createPasswordHasher(params: Argon2Params = defaultArgon2Params): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    async verify(stored, password) {
      if (stored === null) {
        dummy ??= hash('portcullis-dummy-password', options);
        await verify(await dummy, password).catch(() => false);
        return false;
      }
      return verify(stored, password).catch(() => false);
    },
    needsRehash(stored) {
      const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
      if (!m) return true;
      const [mem, time, par] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return mem < params.memoryCost || time < params.timeCost || par !== params.parallelism;
    },
  };
}
