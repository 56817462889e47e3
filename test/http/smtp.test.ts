/**
 * Email through a real SMTP conversation: a local smtp-server receives the verification code
 * with the right envelope and headers; when the SMTP server is down, sign-in answers
 * 502 DELIVERY_FAILED with a clear message and nothing about the server or its credentials.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  errorCode,
  PASSWORD,
  post,
  sessionCookie,
  signUp,
  type TestApp,
  verifyEmailAndFinish,
} from './support.js';

const MAIL_FROM = 'Spectera Provider Portal <no-reply@spectera.example>';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** Header value by name (unfolded), and the text body with quoted-printable soft breaks undone. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '')) {
    body = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { headers, body };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('email delivery over SMTP', () => {
  const received: Received[] = [];
  let smtp: SMTPServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const { port } = smtp.server.address() as AddressInfo;
    t = await buildApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM });
  });
  afterAll(async () => {
    await t.app.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends the sign-in verification code to the account’s address, from MAIL_FROM', async () => {
    const email = 'smtp-user@example.com';
    await signUp(t.app, email);
    const start = await post(t.app, '/api/v1/sign-in', { email, password: PASSWORD });
    expect(start.statusCode).toBe(200);
    expect(start.json<{ status: string }>().status).toBe('continue');

    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail!.to).toEqual([email]);
    expect(mail!.from).toBe('no-reply@spectera.example');
    const { headers, body } = parseMessage(mail!.raw);
    expect(headers.get('to')).toBe(email);
    expect(headers.get('from')).toBe(MAIL_FROM);
    expect(headers.get('subject')).toBe('Your Spectera Provider Portal verification code');
    const code = /verification code is: (\d{6})\b/.exec(body)?.[1];
    expect(code, body).toMatch(/^\d{6}$/);

    // It is the code the flow is waiting for.
    const done = await verifyEmailAndFinish(t.app, {
      flow: start.json<{ flow: { flow: string } }>().flow.flow,
      code,
    });
    expect(done.statusCode).toBe(200);
    expect(sessionCookie(done)).toBeDefined();
  });

  it('does not put email in the development outbox when SMTP is configured', async () => {
    const outbox = await t.app.inject({ method: 'GET', url: '/api/v1/dev/outbox' });
    expect(outbox.json<{ messages: unknown[] }>().messages).toEqual([]);
  });
});

describe('email delivery when the SMTP server is down', () => {
  const SMTP_PASSWORD = 'smtp-account-password-93kd';
  const lines: string[] = [];
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await buildApp(
      {
        SMTP_URL: `smtp://portcullis:${SMTP_PASSWORD}@127.0.0.1:${port}`,
        MAIL_FROM,
        LOG_LEVEL: 'trace',
      },
      { logStream: { write: (line: string) => void lines.push(line) } },
    );
  });
  afterAll(() => t.app.close());

  it('answers sign-in with 502 DELIVERY_FAILED and a clear message, leaking nothing', async () => {
    const email = 'smtp-down@example.com';
    await signUp(t.app, email);
    const res = await post(t.app, '/api/v1/sign-in', { email, password: PASSWORD });
    expect(res.statusCode).toBe(502);
    expect(errorCode(res)).toBe('DELIVERY_FAILED');
    const { message } = res.json<{ error: { message: string } }>().error;
    expect(message).toMatch(/could not send the email/i);
    for (const leak of [
      '127.0.0.1',
      String(port),
      SMTP_PASSWORD,
      'portcullis:',
      'ECONNREFUSED',
      'smtp',
      'nodemailer',
      PASSWORD,
      'stack',
      ' at ',
    ]) {
      expect(res.body, leak).not.toContain(leak);
    }
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('logs the failure for operators without the SMTP or user password', () => {
    const text = lines.join('');
    expect(text).toMatch(/Delivery by email through smtp failed/);
    expect(text).not.toContain(SMTP_PASSWORD);
    expect(text).not.toContain(PASSWORD);
  });
});
