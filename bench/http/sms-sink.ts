/**
 * The SMS provider under the benchmark: a Twilio-shaped API on loopback (`TWILIO_API_BASE_URL`)
 * in the benchmark's own process, on the load core. Portcullis sends a sign-in's code through its
 * outbox before it answers (`sendNow`), so the code is here by the time the sign-in's answer is,
 * and the next request of the same login can type it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SmsSink {
  url: string;
  /** The last code texted to `e164` (taken: each is typed once). */
  take(e164: string): string | undefined;
  received(): number;
  close(): Promise<void>;
}

export async function startSmsSink(): Promise<SmsSink> {
  const codes = new Map<string, string>();
  let count = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const code = /\b(\d{6})\b/.exec(form.get('Body') ?? '')?.[1];
      const to = form.get('To');
      if (to && code) {
        codes.set(to, code);
        count++;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ sid: `SM${count.toString(16).padStart(32, '0')}`, status: 'queued' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take(e164) {
      const code = codes.get(e164);
      codes.delete(e164);
      return code;
    },
    received: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
