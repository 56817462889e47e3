/** Administrators for the admin API's tests: invited, their invitation accepted, then signed in. */
import type { FastifyInstance } from 'fastify';
import { cookiePolicy } from '../../src/http/session-cookie.js';
import { Client, finishSignIn, PASSWORD } from './client.js';

export interface AdminClient {
  c: Client;
  id: string;
  email: string;
}

async function invitedAdmin(app: FastifyInstance, email: string): Promise<string> {
  const { link, accountId } = await app.services.accounts.invite({
    email,
    role: 'admin',
    invitedBy: null,
    send: false,
  });
  const accepted = await new Client(app).post('/api/v1/invitations/accept', {
    token: new URL(link).searchParams.get('token'),
    password: PASSWORD,
  });
  if (accepted.statusCode >= 300) throw new Error(`invitation not accepted: ${accepted.body}`);
  return accountId;
}

/** An administrator signed in with the password alone: an AAL1 session. */
export async function adminAtAal1(app: FastifyInstance, email: string): Promise<AdminClient> {
  const id = await invitedAdmin(app, email);
  const c = new Client(app);
  await finishSignIn(c, await c.post('/api/v1/sign-in', { email, password: PASSWORD }), email);
  return { c, id, email };
}

/**
 * An administrator with an AAL2 session. The session is made by the session service directly, as
 * a sign-in with a password and an authenticator code would make it: how sign-in reaches AAL2 is
 * tested with sign-in (totp, passkey, phone tests); here only what the admin API does with it.
 */
export async function adminAtAal2(app: FastifyInstance, email: string): Promise<AdminClient> {
  const id = await invitedAdmin(app, email);
  const now = app.services.clock.now();
  const { token } = await app.services.sessions.create({
    accountId: id,
    aal: 'aal2',
    amr: [
      { method: 'pwd', at: now },
      { method: 'otp', at: now },
    ],
    origin: { ip: '203.0.113.9', userAgent: 'vitest admin' },
  });
  const c = new Client(app);
  c.cookie = `${cookiePolicy(app.services.config.publicUrl).name}=${token}`;
  return { c, id, email };
}
