/**
 * Texts and calls through Twilio's REST API (or any API of the same shape at `baseUrl`).
 * Enforces:
 * - one bounded request (`timeoutMs`), retried once on a transient failure only: no answer,
 *   a network error, HTTP 429 or 5xx. Any other answer is final (a 4xx will not get better);
 * - a call reads the text twice, with pauses, from TwiML built here and XML-escaped;
 * - failures become a `DeliveryError` whose message and cause hold the HTTP status and
 *   Twilio's numeric error code at most: never the message text (it holds the code), the
 *   recipient or the credentials. Nothing is logged here.
 * Spend limits (S10) are checked by the caller before `send` (see spend-guard.ts).
 */
import { DeliveryError, type Channel, type OutgoingMessage, type Sender } from './sender.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** E.164 sender; for texts, a messaging service SID (`MG…`) also works. */
  fromNumber: string;
  /** `https://api.twilio.com`, or a compatible API. */
  baseUrl: string;
  /** Per request; a transient failure is retried once, so a send takes at most twice this. */
  timeoutMs: number;
}

const PROVIDER = 'twilio';
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;

type Attempt = { ok: true } | { ok: false; transient: boolean; reason: string };

export function xmlEscape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** The call script: a breath, the text, a pause, the text again. */
export function callScript(text: string): string {
  const say = `<Say>${xmlEscape(text)}</Say>`;
  return `<Response><Pause length="1"/>${say}<Pause length="1"/>${say}</Response>`;
}

/** A network failure in words that cannot carry anything secret (an error code at most). */
function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = e?.cause?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)
    ? `network error (${code})`
    : 'network error';
}

/** Twilio's numeric error code from an error body (e.g. 21211), and nothing else from it. */
function twilioErrorCode(body: string): number | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown } | null)?.code;
    return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function createTwilioSenders(o: TwilioOptions): { sms: Sender; voice: Sender } {
  const base = `${o.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}`;
  const authorization = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`;

  async function attempt(url: string, body: string): Promise<Attempt> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        redirect: 'manual', // never replay credentials and a code to wherever we are sent
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      return { ok: false, transient: true, reason: describeFailure(err, o.timeoutMs) };
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: true };
    }
    const code = twilioErrorCode(await res.text().catch(() => ''));
    return {
      ok: false,
      transient: res.status === 429 || res.status >= 500,
      reason: `HTTP ${res.status}${code === undefined ? '' : ` (Twilio error ${code})`}`,
    };
  }

  async function post(channel: Channel, resource: string, form: Record<string, string>) {
    const url = `${base}/${resource}`;
    const body = new URLSearchParams(form).toString();
    const reasons: string[] = [];
    for (let tries = 0; tries < 2; tries++) {
      const result = await attempt(url, body);
      if (result.ok) return;
      reasons.push(result.reason);
      if (!result.transient) break;
    }
    throw new DeliveryError(channel, PROVIDER, {
      cause: new Error(`${resource}: ${reasons.join(', then ')}`),
    });
  }

  const sms: Sender = {
    channel: 'sms',
    provider: PROVIDER,
    async send(message: OutgoingMessage) {
      const sender: Record<string, string> = MESSAGING_SERVICE_SID.test(o.fromNumber)
        ? { MessagingServiceSid: o.fromNumber }
        : { From: o.fromNumber };
      await post('sms', 'Messages.json', { To: message.to, ...sender, Body: message.text });
    },
  };

  const voice: Sender = {
    channel: 'voice',
    provider: PROVIDER,
    async send(message: OutgoingMessage) {
      await post('voice', 'Calls.json', {
        To: message.to,
        From: o.fromNumber,
        Twiml: callScript(message.text),
      });
    },
  };

  return { sms, voice };
}
