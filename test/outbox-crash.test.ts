/**
 * Messages survive a crash (S32). Before, a notice sent "after the answer" lived only in the
 * process's memory: a crash or a deploy lost it. Now it is in the database before the answer,
 * and a restarted process sends it — once:
 * - killed (SIGKILL) after the answer, while the mail server could not be reached: the next
 *   process sends it when it falls due;
 * - killed in the middle of the send (the mail server had not even greeted): the next process
 *   waits for the dead one's claim to run out, then sends it.
 * Real server processes on one SQLite file; a real SMTP server counts what arrives.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startServer, until, type ServerProcess } from './helpers/processes.js';

const PASSWORD = 'correct horse battery staple';

async function countingSmtp(port: number) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      stream.resume();
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Accepts connections and never says a word: a send to it hangs until its timeout. */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

describe('a message whose process dies before sending it', () => {
  const running: ServerProcess[] = [];
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await p.exited;
    }
    for (const close of closers.splice(0)) await close();
  });

  async function server(dataDir: string, smtpPort: number): Promise<ServerProcess> {
    const port = await freePort();
    const p = startServer({
      PORT: String(port),
      DATA_DIR: dataDir,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      // Short timeouts keep the claim short (the claim outlasts every send it covers).
      SMTP_TIMEOUT_SECONDS: '1',
      PROVIDER_TIMEOUT_MS: '500',
    });
    running.push(p);
    await p.ready;
    return p;
  }

  /** A sign-up for an address that has an account: its notice goes after the answer. */
  async function signUp(p: ServerProcess, email: string): Promise<void> {
    const res = await fetch(`${p.url}/api/v1/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(202);
  }

  async function kill(p: ServerProcess): Promise<void> {
    p.child.kill('SIGKILL');
    expect(await p.exited).toBe('SIGKILL');
  }

  it('is sent once by the next process, after a crash while the mail server was away', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-crash-'));
    const smtpPort = await freePort(); // nothing listens yet
    const first = await server(dataDir, smtpPort);
    await signUp(first, 'uma@clinic.example'); // the account
    await signUp(first, 'uma@clinic.example'); // "someone tried to sign up with your address"
    await kill(first);

    const smtp = await countingSmtp(smtpPort);
    closers.push(smtp.close);
    await server(dataDir, smtpPort);
    await until(async () => smtp.received.length >= 1, { what: 'the notice' });
    // Two more polling rounds: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(smtp.received).toEqual(['uma@clinic.example']);
  }, 40_000);

  it('is sent once by the next process after its claim runs out, when the crash came mid-send', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-crash-'));
    const silent = await silentServer();
    closers.push(() => {
      for (const s of silent.sockets) s.destroy();
      return new Promise((r) => silent.server.close(r));
    });
    const first = await server(dataDir, silent.port);
    await signUp(first, 'vic@clinic.example');
    await signUp(first, 'vic@clinic.example');
    // The process is now in the middle of the SMTP conversation, holding the claim.
    await until(async () => silent.sockets.length >= 1, { what: 'the send to start' });
    await kill(first);

    const smtpPort = await freePort();
    const smtp = await countingSmtp(smtpPort);
    closers.push(smtp.close);
    const started = Date.now();
    await server(dataDir, smtpPort);
    await until(async () => smtp.received.length >= 1, { what: 'the notice', timeoutMs: 30_000 });
    // Not before the dead process's claim ran out (6 s with these timeouts).
    expect(Date.now() - started).toBeGreaterThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(smtp.received).toEqual(['vic@clinic.example']);
  }, 60_000);
});
