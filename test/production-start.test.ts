/**
 * The production starts in docs/operations.md work as written (issue 11, item 8). Every block
 * marked `production-start` there runs in bash exactly as it is, in an empty folder, with nothing
 * else in its environment; the server must listen and answer `/healthz`, and is then stopped by
 * its pid (SIGTERM: a clean exit). `npm run serve` runs the built `src/server.ts`: here a
 * stand-in `npm`, first on PATH, runs that same file from source (no build in a test) and notes
 * the server's pid. The blocks leave `PORT` at its default, 3000; the test gives a free one.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const operations = readFileSync(join(repo, 'docs/operations.md'), 'utf8');
const blocks = [
  ...operations.matchAll(/<!-- production-start[^>]*-->\s*```sh\n([\s\S]*?)```/g),
].map((m) => m[1]!);

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** `npm run serve`, as the build runs it, from source; anything else the blocks do not do. */
const npmStandIn = `#!/bin/sh
[ "$1 $2" = "run serve" ] || { echo "npm $* is not part of the documented start" >&2; exit 2; }
echo $$ > "$SERVER_PID_FILE"
exec "$NODE_BINARY" --import "$REPO/node_modules/tsx/dist/loader.mjs" "$REPO/src/server.ts"
`;

async function runDocumented(block: string) {
  const folder = mkdtempSync(join(tmpdir(), 'portcullis-production-'));
  const bin = join(folder, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), npmStandIn);
  chmodSync(join(bin, 'npm'), 0o755);
  const pidFile = join(folder, '.server-pid');
  const port = await freePort();
  const shell = spawn('bash', ['-euo', 'pipefail', '-c', block], {
    cwd: folder,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: folder,
      PORT: String(port),
      NODE_BINARY: process.execPath,
      REPO: repo,
      SERVER_PID_FILE: pidFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => shell.once('exit', resolve));
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Portcullis is listening')) resolve();
    };
    shell.stdout.on('data', onData);
    shell.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`the start exited with ${code}:\n${output}`)));
  });
  return { port, pidFile, exited, listening, output: () => output };
}

describe('the documented production start (docs/operations.md)', () => {
  it('is there: one start with an SMS provider, one for a policy without phones', () => {
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('SMS_PROVIDER=twilio');
    expect(blocks[1]).not.toContain('SMS_PROVIDER');
    for (const block of blocks) expect(block).toMatch(/NODE_ENV=production[\s\S]*npm run serve/);
  });

  it.each(blocks.map((block, i) => [i + 1, block] as const))(
    'start %i runs as written: it listens, answers /healthz, and stops by its pid',
    async (_n, block) => {
      const run = await runDocumented(block);
      await run.listening;
      expect(run.output()).toContain('Portcullis is listening on https://id.example-portal.com');
      const health = await fetch(`http://127.0.0.1:${run.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const pid = Number(readFileSync(run.pidFile, 'utf8'));
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGTERM');
      expect(await run.exited).toBe(0);
    },
    30_000,
  );
});
