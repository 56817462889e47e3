/**
 * Texts and calls through a fake Twilio API on 127.0.0.1 (real HTTP): the requests have the
 * right path, Basic credentials, form encoding and fields; a transient failure (5xx, 429, no
 * answer) is retried exactly once, a 4xx never; and a failure reported to the caller holds
 * neither the code nor the auth token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fitsOneSegment,
  phoneChangedNotice,
  smsCode,
  voiceCode,
} from '../../src/delivery/phone-messages.js';
import { DeliveryError, type Sender } from '../../src/delivery/sender.js';
import { createTwilioSenders } from '../../src/delivery/twilio.js';

const SID = 'AC00000000000000000000000000000001';
const TOKEN = 'tok-5ecret-auth-token-do-not-leak';
const FROM = '+15005550006';
const TO = '+447546123456';
const CODE = '493817';
const TIMEOUT_MS = 300;

interface Seen {
  method: string | undefined;
  path: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

type Responder = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const reply =
  (status: number, body: object = {}): Responder =>
  (_req, res) => {
    // No keep-alive: each request has a connection of its own, so none is reused stale.
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify(body));
  };
/** Never answers: the request must time out on our side. */
const silence: Responder = () => undefined;

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let responders: Responder[] = [];

function serve(...r: Responder[]): void {
  responders = r;
}

function senders(): { sms: Sender; voice: Sender } {
  return createTwilioSenders({
    accountSid: SID,
    authToken: TOKEN,
    fromNumber: FROM,
    baseUrl,
    timeoutMs: TIMEOUT_MS,
  });
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

/** Everything a log line or an error response could show of `err`, cause included. */
function everything(err: Error): string {
  const cause = err.cause as Error | undefined;
  return [
    err.message,
    String(err),
    err.stack ?? '',
    JSON.stringify(err),
    cause ? `${String(cause)} ${cause.stack ?? ''} ${JSON.stringify(cause)}` : '',
  ].join('\n');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        path: req.url,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      const n = seen.length;
      const respond = responders[Math.min(n, responders.length) - 1] ?? reply(201);
      respond(req, res, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen = [];
  responders = [];
});

afterAll(async () => {
  server.closeAllConnections(); // requests a silent responder left hanging
  await new Promise((resolve) => server.close(resolve));
});

describe('Twilio texts', () => {
  it('posts the message form to Messages.json with Basic credentials', async () => {
    serve(reply(201, { sid: 'SM1' }));
    const message = smsCode('Spectera Provider Portal', TO, CODE, 60_000);
    await senders().sms.send(message);

    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    const basic = Buffer.from(`${SID}:${TOKEN}`).toString('base64');
    expect(req?.authorization).toBe(`Basic ${basic}`);
    expect(req?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(req?.form ?? [])).toEqual({
      To: TO,
      From: FROM,
      Body: message.text,
    });
    expect(req?.form.get('Body')).toContain(`verification code is: ${CODE}.`);
  });

  it('sends from a messaging service when the sender is one', async () => {
    const service = 'MG' + 'a'.repeat(32);
    await createTwilioSenders({
      accountSid: SID,
      authToken: TOKEN,
      fromNumber: service,
      baseUrl: `${baseUrl}/`,
      timeoutMs: TIMEOUT_MS,
    }).sms.send(smsCode('Portal', TO, CODE, 60_000));
    expect(seen[0]?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(seen[0]?.form.get('MessagingServiceSid')).toBe(service);
    expect(seen[0]?.form.has('From')).toBe(false);
  });

  it('succeeds after one retry when the first answer is a 500', async () => {
    serve(reply(500), reply(201));
    await senders().sms.send(smsCode('Portal', TO, CODE, 60_000));
    expect(seen).toHaveLength(2);
    expect(seen[1]?.form.get('Body')).toBe(seen[0]?.form.get('Body'));
  });

  it('retries a 429 once', async () => {
    serve(reply(429, { code: 20429 }), reply(201));
    await senders().sms.send(smsCode('Portal', TO, CODE, 60_000));
    expect(seen).toHaveLength(2);
  });

  it('gives up after two 500s with a DeliveryError', async () => {
    serve(reply(500), reply(503));
    const err = await failure(senders().sms.send(smsCode('Portal', TO, CODE, 60_000)));
    expect(seen).toHaveLength(2);
    expect(err.channel).toBe('sms');
    expect(err.provider).toBe('twilio');
    expect(String(err.cause)).toContain('HTTP 500');
    expect(String(err.cause)).toContain('HTTP 503');
  });

  it('does not retry a 400', async () => {
    serve(reply(400, { code: 21211, message: `The 'To' number ${TO} is not valid.` }));
    const err = await failure(senders().sms.send(smsCode('Portal', TO, CODE, 60_000)));
    expect(seen).toHaveLength(1);
    expect(String(err.cause)).toContain('HTTP 400 (Twilio error 21211)');
    expect(everything(err)).not.toContain(TO); // Twilio's own message is not copied
  });

  it('gives up on a silent server after the timeout, and retries once', async () => {
    serve(silence, silence);
    const started = performance.now();
    const err = await failure(senders().sms.send(smsCode('Portal', TO, CODE, 60_000)));
    const elapsed = performance.now() - started;
    expect(seen).toHaveLength(2);
    // Each try waited for the timeout (no upper bound: a loaded machine may be slow to wake).
    expect(elapsed).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 20);
    expect(String(err.cause)).toContain(`no answer within ${TIMEOUT_MS} ms`);
  });

  it('succeeds when only the first request goes unanswered', async () => {
    serve(silence, reply(201));
    await senders().sms.send(smsCode('Portal', TO, CODE, 60_000));
    expect(seen).toHaveLength(2);
  });

  it('reports an unreachable provider as a DeliveryError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(
      createTwilioSenders({
        accountSid: SID,
        authToken: TOKEN,
        fromNumber: FROM,
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: TIMEOUT_MS,
      }).sms.send(smsCode('Portal', TO, CODE, 60_000)),
    );
    expect(String(err.cause)).toContain('network error (ECONNREFUSED)');
  });

  it('never puts the code or the token in what it throws', async () => {
    for (const responders of [[reply(500), reply(500)], [reply(401)], [silence, silence]]) {
      serve(...responders);
      const err = await failure(senders().sms.send(smsCode('Portal', TO, CODE, 60_000)));
      const text = everything(err);
      expect(text).not.toContain(CODE);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
      seen = [];
    }
  });
});

describe('Twilio calls', () => {
  it('posts TwiML that reads the spaced digits twice to Calls.json', async () => {
    serve(reply(201, { sid: 'CA1' }));
    await senders().voice.send(voiceCode('Spectera Provider Portal', TO, CODE));

    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Calls.json`);
    expect(req?.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(req?.contentType).toBe('application/x-www-form-urlencoded');
    expect(req?.form.get('To')).toBe(TO);
    expect(req?.form.get('From')).toBe(FROM);
    expect(req?.form.has('Body')).toBe(false);
    const twiml = req?.form.get('Twiml') ?? '';
    expect(twiml).toMatch(/^<Response>.*<\/Response>$/);
    const spoken = '4, 9, 3, 8, 1, 7';
    expect(twiml.split(spoken)).toHaveLength(3); // exactly twice
    expect(twiml).toContain('<Pause length="1"/>');
  });

  it('escapes the text into the TwiML', async () => {
    await senders().voice.send(voiceCode('Smith & <Jones> "Care"', TO, CODE));
    const twiml = seen[0]?.form.get('Twiml') ?? '';
    expect(twiml).toContain('Smith &amp; &lt;Jones&gt; &quot;Care&quot;');
    expect(twiml).not.toContain('<Jones>');
  });

  it('retries a call once and then fails without the code', async () => {
    serve(reply(502), reply(500));
    const err = await failure(senders().voice.send(voiceCode('Portal', TO, CODE)));
    expect(seen).toHaveLength(2);
    expect(err.channel).toBe('voice');
    const text = everything(err);
    expect(text).not.toContain('4, 9, 3');
    expect(text).not.toContain(CODE);
    expect(text).not.toContain(TOKEN);
  });
});

describe('phone messages', () => {
  it('words the text as seed 000 does, with the validity while it fits one segment', () => {
    expect(smsCode('Spectera Provider Portal', TO, CODE, 60_000)).toEqual({
      channel: 'sms',
      to: TO,
      text:
        'Your Spectera Provider Portal verification code is: 493817. Valid for 60 seconds. ' +
        "If you didn't initiate this request, contact Customer Service.",
    });
    expect(fitsOneSegment(smsCode('Spectera Provider Portal', TO, CODE, 60_000).text)).toBe(true);
  });

  it('drops the validity rather than spill into a second segment', () => {
    const portal = 'The Very Long Named Regional Provider Portal of the Northern Health Authority';
    expect(smsCode(portal, TO, CODE, 600_000).text).toBe(
      `Your ${portal} verification code is: 493817. ` +
        "If you didn't initiate this request, contact Customer Service.",
    );
  });

  it('counts GSM-7 and UCS-2 segments', () => {
    expect(fitsOneSegment('a'.repeat(160))).toBe(true);
    expect(fitsOneSegment('a'.repeat(161))).toBe(false);
    expect(fitsOneSegment('€'.repeat(80))).toBe(true); // two septets each
    expect(fitsOneSegment('€'.repeat(81))).toBe(false);
    expect(fitsOneSegment('•'.repeat(70))).toBe(true); // outside GSM-7: UCS-2
    expect(fitsOneSegment('•'.repeat(71))).toBe(false);
  });

  it('spaces the digits of a spoken code', () => {
    expect(voiceCode('Portal', TO, '123456')).toEqual({
      channel: 'voice',
      to: TO,
      text: 'Your Portal verification code is: 1, 2, 3, 4, 5, 6.',
    });
  });

  it('tells the old number of a change with the last digits of the new one only', () => {
    const notice = phoneChangedNotice('Portal', '+447546000111', '•••• ••• 456');
    expect(notice).toEqual({
      channel: 'sms',
      to: '+447546000111',
      text:
        'The phone number on your Portal account was changed to a number ending in 456. ' +
        "If you didn't make this change, contact Customer Service.",
    });
    expect(fitsOneSegment(notice.text)).toBe(true);
    // Even if handed a full number, it shows no more than the last three digits.
    expect(phoneChangedNotice('Portal', TO, '+12125550100').text).not.toMatch(/212|555/);
    expect(phoneChangedNotice('Portal', TO, '•••• ••• 456', 'voice')).toMatchObject({
      channel: 'voice',
      text: expect.stringContaining('ending in 4, 5, 6.') as unknown,
    });
  });
});
