/**
 * A real listening Portcullis for HTTP and browser tests: in-memory SQLite (or a given
 * DATABASE_URL), a fake clock, the development outbox, the built hosted pages.
 */
import type { FastifyInstance } from 'fastify';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { listOutbox, type OutboxEntry } from '../../src/delivery/dev-outbox.js';
import { testConfig } from './config.js';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  clock: FakeClock;
  outbox(to?: string): Promise<OutboxEntry[]>;
  latestCode(to: string): Promise<string>;
  invite(email: string, role?: 'user' | 'admin'): Promise<{ link: string }>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    /**
     * The name the browser uses: `127.0.0.1` by default; `localhost` for passkeys (WebAuthn
     * refuses IP addresses as RP IDs, and treats localhost as a secure context).
     */
    host?: '127.0.0.1' | 'localhost';
  } = {},
): Promise<TestServer> {
  const clock = new FakeClock(Date.now());
  // PUBLIC_URL must match the origin the browser uses (CSRF origin check), so listen first on a
  // free port chosen by a throwaway server.
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const config = testConfig({ PUBLIC_URL: url, PORT: String(port), ...options.env });
  const app = await build({ config, clock });
  await app.listen({ host: '127.0.0.1', port });
  // What has been sent: messages sent after their answer are sent first.
  const outbox = async (to?: string) => {
    await app.services.outbox.flush();
    return listOutbox(app.services.store.db, { ...(to ? { to } : {}), limit: 200 });
  };
  return {
    url,
    app,
    clock,
    outbox,
    async latestCode(to) {
      const [latest] = await outbox(to);
      const code = latest?.text.match(/\b(\d{6,10})\b/)?.[1];
      if (!code) throw new Error(`No code has been sent to ${to}`);
      return code;
    },
    async invite(email, role = 'user') {
      const inv = await app.services.accounts.invite({ email, role, invitedBy: null, send: false });
      return { link: inv.link };
    },
    close: () => app.close(),
  };
}
