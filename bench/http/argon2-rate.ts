/**
 * The raw argon2id rate with Portcullis's parameters (`defaultArgon2Params`, straight through
 * `@node-rs/argon2`, no limiter), run pinned to the server's core by `baselines.ts`:
 * `concurrency` verifications kept in flight for `seconds`, as a server under that many
 * connections would; prints { perSecond, cpuMsPerHash }.
 */
import { hash, verify } from '@node-rs/argon2';
import { defaultArgon2Params } from '../../src/factors/password/hashing.js';

const [concurrency = 10, seconds = 10] = process.argv.slice(2).map(Number);
const options = { algorithm: 2, ...defaultArgon2Params }; // 2: argon2id
const password = 'correct horse battery staple';
const stored = await hash(password, options);
const until = Date.now() + seconds * 1000;
let done = 0;
const cpuBefore = process.cpuUsage();
const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      await verify(stored, password);
      done++;
    }
  }),
);
const elapsed = (Date.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  JSON.stringify({
    perSecond: done / elapsed,
    cpuMsPerHash: (cpu.user + cpu.system) / 1000 / done,
  }),
);
