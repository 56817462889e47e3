/** A tiny API client over app.inject that carries the session cookie like a browser would. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const PASSWORD = 'correct horse battery staple';

export class Client {
  cookie: string | undefined;
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ''] = c.split(';');
      const value = pair.slice(pair.indexOf('=') + 1);
      this.cookie =
        value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c) ? undefined : pair;
    }
    return res;
  }

  async post(url: string, body?: unknown): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: {
          'x-portcullis-csrf': '1',
          ...this.headers,
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    );
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'GET',
        url,
        headers: { ...this.headers, ...(this.cookie ? { cookie: this.cookie } : {}) },
      }),
    );
  }

  async patch(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'PATCH',
        url,
        headers: {
          'x-portcullis-csrf': '1',
          ...this.headers,
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        payload: body as object,
      }),
    );
  }

  /** A PUT with a JSON body (`null` included: sent as the JSON text `null`). */
  async put(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'PUT',
        url,
        headers: {
          'x-portcullis-csrf': '1',
          'content-type': 'application/json',
          ...this.headers,
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        payload: JSON.stringify(body),
      }),
    );
  }

  /** A DELETE, with a JSON body when one is given. */
  async delete(url: string, body?: unknown): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'DELETE',
        url,
        headers: {
          'x-portcullis-csrf': '1',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.headers,
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    );
  }
}

/** Messages the development outbox holds for `to`, newest first. */
export async function outbox(
  app: FastifyInstance,
  to: string,
): Promise<{ channel: string; text: string; subject: string | null }[]> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`,
  });
  return res.json().messages;
}

export async function latestCode(app: FastifyInstance, to: string): Promise<string> {
  // Voice calls read the digits one by one ("1, 2, 3, 4, 5, 6"): join them back.
  const text = ((await outbox(app, to))[0]?.text ?? '').replace(/(\d), (?=\d)/g, '$1');
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

/**
 * Walks a sign-in flow to the end the way a user would: the email code when asked, "Skip for
 * Now" on an offered phone, "I have saved it" on a recovery code the policy requires. Throws on
 * any other step (tests that need it drive it themselves).
 */
export async function finishSignIn(
  c: Client,
  first: LightMyRequestResponse,
  email: string,
): Promise<LightMyRequestResponse> {
  let res = first;
  for (let i = 0; i < 5 && res.statusCode === 200 && res.json().status === 'continue'; i++) {
    const flow = res.json().flow;
    if (flow.step === 'verify_email') {
      res = await c.post('/api/v1/sign-in/verify-email', {
        flow: flow.flow,
        code: await latestCode(c.app, email),
      });
    } else if ((flow.step === 'enrol_phone' || flow.step === 'choose_mfa') && flow.skippable) {
      res = await c.post('/api/v1/sign-in/skip', { flow: flow.flow });
    } else if (flow.step === 'save_recovery_code') {
      res = await c.post('/api/v1/sign-in/recovery-code-saved', { flow: flow.flow });
    } else {
      throw new Error(`sign-in stopped at step ${flow.step}`);
    }
  }
  if (res.statusCode !== 200 || res.json().status !== 'signed_in')
    throw new Error(`sign-in failed: ${res.body}`);
  return res;
}

/** Sign up, sign in, verify the email (and skip an offered phone): a signed-in client. */
export async function signedInClient(
  app: FastifyInstance,
  email: string,
  headers: Record<string, string> = {},
): Promise<Client> {
  const c = new Client(app, headers);
  await c.post('/api/v1/sign-up', { email, password: PASSWORD });
  await finishSignIn(c, await c.post('/api/v1/sign-in', { email, password: PASSWORD }), email);
  return c;
}

/**
 * Posts a sign-in step and, when seed 001's reminder follows it (strong-mfa before 7 March 2025,
 * for a user short of the minimum), takes "Skip for Now": for stories about other features.
 */
export async function pastReminder(
  c: Client,
  url: string,
  body: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  const res = await c.post(url, body);
  const flow = res.statusCode === 200 ? res.json().flow : undefined;
  if (flow?.step === 'choose_mfa' && flow.skippable)
    return c.post('/api/v1/sign-in/skip', { flow: flow.flow });
  return res;
}
