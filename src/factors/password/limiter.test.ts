/**
 * The password hasher runs at most as many hashes at once as it has slots (the cores it may use):
 * more would only share those cores, each holding argon2id's memory meanwhile. Waiting hashes go
 * in the order they came; a failed one frees its slot.
 */
import { describe, expect, it } from 'vitest';
import { limiter } from './hashing.js';

describe('the hash limiter', () => {
  it('runs at most its slots at once, the rest in order, and frees a slot on failure', async () => {
    const limit = limiter(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const task = (n: number, fail = false) =>
      limit(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        if (fail) throw new Error(`task ${n} failed`);
        return n;
      });
    const results = [task(1, true), task(2), task(3), task(4)].map((p) =>
      p.then(
        (n) => n,
        () => 'failed',
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    while (release.length > 0 || started.length < 4) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (release.length > 0) release.shift()!();
    expect(await Promise.all(results)).toEqual(['failed', 2, 3, 4]);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
