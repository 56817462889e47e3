/**
 * S15, attacked through the API with a software authenticator that can get every field wrong:
 * a password-less assertion without user verification; a replayed challenge (again, on another
 * ceremony, concurrently, too late); forged assertions (another origin, another RP ID hash,
 * another type, another key, another user handle, no user presence); the same credential id
 * registered for a second account; forged registrations; a signature counter that goes
 * backwards (flagged, audited, told, refused from then on; never by a forger); a passkey of one
 * account as another's second factor; the account-wide failure count (S5).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { Client, outbox, PASSWORD, signedInClient, pastReminder } from '../helpers/client.js';
import { SEED_001_REMINDER, testConfig } from '../helpers/config.js';
import { addPasskey, methods, ORIGIN, passkeySignIn } from '../helpers/passkeys.js';
import { stepUpByEmail } from '../helpers/totp.js';
import {
  signAssertion,
  SoftwareAuthenticator,
  type CeremonyTweaks,
  type SoftwareCredential,
} from '../helpers/webauthn.js';

let app: FastifyInstance;
let clock: FakeClock;
/** The server's log lines (warnings and worse). */
let logLines: string[];
afterEach(() => app?.close());

async function start(env: Record<string, string> = {}) {
  clock = new FakeClock(SEED_001_REMINDER);
  logLines = [];
  app = await build({
    config: testConfig({ LOG_LEVEL: 'warn', ...env }),
    clock,
    logStream: { write: (line: string) => void logLines.push(line) },
  });
}

async function readyClient(email: string): Promise<Client> {
  const c = await signedInClient(app, email);
  await stepUpByEmail(c, email);
  return c;
}

async function audit(action: string) {
  const rows = await app.services.store.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

/** A password-less ceremony answered by `answer`, with nothing else changed. */
async function answerCeremony(
  answer: (options: { challenge: string; rpId: string }) => unknown,
  client = new Client(app),
) {
  const { flow, options } = (await client.post('/api/v1/sign-in/passkey/options')).json();
  return client.post('/api/v1/sign-in/passkey', { flow, credential: answer(options) });
}

describe('password-less sign-in (S15)', () => {
  let laptop: SoftwareAuthenticator;
  let credential: SoftwareCredential;

  beforeEach(async () => {
    await start();
    const c = await readyClient('ada@clinic.org');
    laptop = new SoftwareAuthenticator(ORIGIN);
    ({ credential } = await addPasskey(c, laptop));
  });

  it('refuses an assertion without user verification: no session, and it is audited', async () => {
    const d = new Client(app);
    const res = await passkeySignIn(d, laptop, { uv: false });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSKEY_USER_NOT_VERIFIED');
    expect(d.cookie).toBeUndefined();
    expect((await d.get('/api/v1/session')).statusCode).toBe(401);
    expect((await audit('sign_in.failed')).map((e) => e.details)).toContainEqual({
      factor: 'passkey',
      result: 'user_not_verified',
    });
  });

  it('answers each challenge once: not again, not on another ceremony, not after its timeout', async () => {
    const d = new Client(app);
    const { flow, options } = (await d.post('/api/v1/sign-in/passkey/options')).json();
    const assertion = laptop.get(options);
    const first = await d.post('/api/v1/sign-in/passkey', { flow, credential: assertion });
    expect(first.json().status).toBe('signed_in');

    const replay = await new Client(app).post('/api/v1/sign-in/passkey', {
      flow,
      credential: assertion,
    });
    expect(replay.json().error.code).toBe('CEREMONY_EXPIRED');
    // The same signed answer offered to a new ceremony: its challenge is not that one.
    const elsewhere = await answerCeremony(() => assertion);
    expect(elsewhere.json().error.code).toBe('PASSKEY_INVALID');

    const late = (await d.post('/api/v1/sign-in/passkey/options')).json();
    clock.advance(300_001);
    const expired = await d.post('/api/v1/sign-in/passkey', {
      flow: late.flow,
      credential: laptop.get(late.options),
    });
    expect(expired.json().error.code).toBe('FLOW_NOT_FOUND');
  });

  it('lets exactly one of four concurrent answers to one challenge sign in', async () => {
    const { flow, options } = (
      await new Client(app).post('/api/v1/sign-in/passkey/options')
    ).json();
    const assertion = laptop.get(options);
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        new Client(app).post('/api/v1/sign-in/passkey', { flow, credential: assertion }),
      ),
    );
    const outcomes = results.map((r) => r.json().status ?? r.json().error.code);
    expect(outcomes.filter((o) => o === 'signed_in')).toHaveLength(1);
    expect(
      outcomes
        .filter((o) => o !== 'signed_in')
        .every((o) => ['FLOW_STATE_CONFLICT', 'CEREMONY_EXPIRED'].includes(o)),
    ).toBe(true);
  });

  it.each<[string, CeremonyTweaks]>([
    ['from another origin', { origin: 'https://evil.example' }],
    ['from another port of our host', { origin: 'http://localhost:3001' }],
    ['with the RP ID hash of another site', { rpId: 'evil.example' }],
    ['with the RP ID hash of a parent-looking name', { rpId: 'host' }],
    ['typed as a registration', { type: 'webauthn.create' }],
    ['without user presence', { up: false }],
  ])('refuses a forged assertion %s', async (_label, tweaks) => {
    const d = new Client(app);
    const res = await passkeySignIn(d, laptop, tweaks);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSKEY_INVALID');
    expect(d.cookie).toBeUndefined();
    // A refused forgery leaves the passkey working and unflagged.
    expect((await passkeySignIn(new Client(app), laptop)).json().status).toBe('signed_in');
  });

  it('refuses a signature by another key, and a foreign user handle, the same way as an unknown passkey', async () => {
    const attacker = new SoftwareAuthenticator(ORIGIN);
    const stranger = attacker.create({
      challenge: 'x',
      rp: { id: 'localhost' },
      user: { id: Buffer.from('someone-else').toString('base64url') },
    }).credential;
    const forgedKey = await answerCeremony((o) =>
      signAssertion(
        { ...stranger, id: credential.id, userHandle: credential.userHandle },
        o,
        ORIGIN,
      ),
    );
    const foreignHandle = await answerCeremony((o) =>
      signAssertion({ ...credential, userHandle: stranger.userHandle }, o, ORIGIN, {
        counter: 1000,
      }),
    );
    const unknown = await answerCeremony((o) => signAssertion(stranger, o, ORIGIN));
    for (const res of [forgedKey, foreignHandle, unknown]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual(unknown.json().error);
    }
    expect(unknown.json().error.code).toBe('PASSKEY_INVALID');
  });

  it('flags a passkey whose counter goes backwards: audited, the user told, refused from then on', async () => {
    expect((await passkeySignIn(new Client(app), laptop)).json().status).toBe('signed_in');
    const seen = credential.signCount;

    // A forger who cannot sign cannot flag anyone's passkey with a low counter.
    const attacker = new SoftwareAuthenticator(ORIGIN);
    const stranger = attacker.create({
      challenge: 'x',
      rp: { id: 'localhost' },
      user: { id: 'eA' },
    }).credential;
    await answerCeremony((o) =>
      signAssertion(
        { ...stranger, id: credential.id, userHandle: credential.userHandle },
        o,
        ORIGIN,
        {
          counter: 1,
        },
      ),
    );
    expect(await audit('factor.passkey_flagged')).toEqual([]);

    // The real key at a counter it already used: a clone (WebAuthn §6.1.1).
    const cloned = await passkeySignIn(new Client(app), laptop, { counter: seen });
    expect(cloned.statusCode).toBe(403);
    expect(cloned.json().error.code).toBe('PASSKEY_BLOCKED');
    const flagged = await audit('factor.passkey_flagged');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.target_id).toBeTruthy();
    const warning = logLines.map((l) => JSON.parse(l)).find((l) => /possible clone/.test(l.msg));
    expect(warning).toMatchObject({ level: 40, stored: seen, reported: seen });
    const [notice] = await outbox(app, 'ada@clinic.org');
    expect(notice?.text).toContain('The passkey "Work laptop" on your account was blocked');

    // Even with a higher counter, the flagged passkey no longer signs in…
    const later = await passkeySignIn(new Client(app), laptop);
    expect(later.json().error.code).toBe('PASSKEY_BLOCKED');
    // …and its owner sees it flagged, removable, and no longer offered for a step-up.
    const owner = new Client(app);
    await owner.post('/api/v1/sign-in', { email: 'ada@clinic.org', password: PASSWORD });
    const security = (await owner.get('/api/v1/account/security')).json();
    expect(security.passkeys[0]).toMatchObject({ flagged: true, removable: true });
    expect(security.stepUp.methods).not.toContain('passkey');
    expect(
      (await app.services.store.db.selectFrom('passkeys').select('flagged_at').execute())[0]
        ?.flagged_at,
    ).toBe(clock.now());
  });

  it('accepts a counter that stays at zero (authenticators without one, most synced passkeys)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await passkeySignIn(new Client(app), laptop, { counter: 0 });
      expect(res.json().status).toBe('signed_in');
    }
  });

  it('refuses a passkey whose backup eligibility changed since it was registered', async () => {
    const res = await passkeySignIn(new Client(app), laptop, {
      credential: { ...credential, backupEligible: true },
    });
    expect(res.json().error.code).toBe('PASSKEY_INVALID');
  });

  it('refuses the passkey of a disabled account', async () => {
    await app.services.store.db.updateTable('accounts').set({ state: 'disabled' }).execute();
    const res = await passkeySignIn(new Client(app), laptop);
    expect(res.json().error.code).toBe('ACCOUNT_DISABLED');
  });
});

describe('registering a passkey (S15)', () => {
  beforeEach(() => start());

  it('refuses a credential id registered to another account, and the attempt is audited', async () => {
    const a = await readyClient('abe@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { credential } = await addPasskey(a, laptop);

    // B answers their own ceremony claiming A's credential id (with a key of their own).
    const b = await readyClient('bob@clinic.org');
    const { flow, options } = (await b.post('/api/v1/passkeys/start')).json().registration;
    const { response } = new SoftwareAuthenticator(ORIGIN).create(options, {
      credentialId: credential.id,
    });
    const res = await b.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Mine',
      credential: response,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('PASSKEY_ALREADY_REGISTERED');
    expect((await b.get('/api/v1/account/security')).json().passkeys).toEqual([]);
    expect((await audit('factor.passkey_refused')).map((e) => e.details)).toEqual([
      { result: 'already_registered' },
    ]);
    // A's passkey still signs A in.
    const signed = await passkeySignIn(new Client(app), laptop);
    expect(signed.json().user.email).toBe('abe@clinic.org');
  });

  it.each<[string, CeremonyTweaks, string]>([
    ['from another origin', { origin: 'https://evil.example' }, 'PASSKEY_INVALID'],
    ['for another RP ID', { rpId: 'evil.example' }, 'PASSKEY_INVALID'],
    ['typed as an assertion', { type: 'webauthn.get' }, 'PASSKEY_INVALID'],
    ['for another challenge', { challenge: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'PASSKEY_INVALID'],
    ['without user verification', { uv: false }, 'PASSKEY_USER_NOT_VERIFIED'],
  ])('refuses a registration %s, and the ceremony is spent', async (_label, tweaks, code) => {
    const c = await readyClient('cal@clinic.org');
    const { flow, options } = (await c.post('/api/v1/passkeys/start')).json().registration;
    const forged = new SoftwareAuthenticator(ORIGIN).create(options, tweaks).response;
    const res = await c.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Forged',
      credential: forged,
    });
    expect(res.json().error.code).toBe(code);
    const honest = new SoftwareAuthenticator(ORIGIN).create(options).response;
    const again = await c.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Honest',
      credential: honest,
    });
    expect(again.json().error.code).toBe('FLOW_NOT_FOUND');
    expect((await c.get('/api/v1/account/security')).json().passkeys).toEqual([]);
  });

  it('lets a registration ceremony expire with its timeout', async () => {
    const c = await readyClient('dot@clinic.org');
    const { flow, options } = (await c.post('/api/v1/passkeys/start')).json().registration;
    clock.advance(300_001);
    await stepUpByEmail(c, 'dot@clinic.org');
    const res = await c.post('/api/v1/passkeys/finish', {
      flow,
      name: 'Late',
      credential: new SoftwareAuthenticator(ORIGIN).create(options).response,
    });
    expect(res.json().error.code).toBe('FLOW_NOT_FOUND');
  });
});

describe('a passkey as the second factor (S5, S15)', () => {
  beforeEach(() => start({ PORTCULLIS_POLICY: 'strong-mfa' }));

  async function passwordStep(email: string) {
    const d = new Client(app);
    const flow = (await d.post('/api/v1/sign-in', { email, password: PASSWORD })).json().flow;
    return { d, flow };
  }

  it("refuses another account's passkey, and a challenge after its timeout", async () => {
    const a = await signedInClient(app, 'eve@clinic.org');
    const aKey = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(a, aKey);
    const b = await signedInClient(app, 'fay@clinic.org');
    const bKey = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(b, bKey);

    const { d, flow } = await passwordStep('eve@clinic.org');
    // B's passkey, answering A's ceremony (its allow list does not name it; a forger ignores that).
    const foreign = bKey.get({ ...flow.passkey.options, allowCredentials: [] });
    const res = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: foreign,
    });
    expect(res.json().error.code).toBe('PASSKEY_INVALID');
    // The failed answer spent the challenge: even eve's own passkey cannot answer it now.
    const spent = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: aKey.get(flow.passkey.options),
    });
    expect(spent.json().error.code).toBe('CEREMONY_EXPIRED');
    // A new one comes from choosing the passkey again.
    const again = (
      await d.post('/api/v1/sign-in/method', { flow: flow.flow, method: 'passkey' })
    ).json().flow;
    clock.advance(300_001); // the sign-in flow lives on (15 minutes); the ceremony does not
    const late = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: bKey.get({ ...again.passkey.options, allowCredentials: [] }),
    });
    expect(late.json().error.code).toBe('CEREMONY_EXPIRED');
  });

  it('offers only the methods the account holds: another is refused and the ceremony stays', async () => {
    const a = await signedInClient(app, 'ian@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(a, laptop);
    const { d, flow } = await passwordStep('ian@clinic.org');
    // No authenticator app on this account: choosing it is refused, and nothing moved.
    const other = await d.post('/api/v1/sign-in/method', { flow: flow.flow, method: 'totp' });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.code).toBe('METHOD_NOT_AVAILABLE');
    const view = (await d.post('/api/v1/sign-in/flow', { flow: flow.flow })).json().flow;
    expect(view.secondFactor.method).toBe('passkey');
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(flow.passkey.options),
    });
    expect(signed.json().error).toBeUndefined();
  });

  it('counts failed assertions on the account like every second factor: waits after five', async () => {
    const a = await signedInClient(app, 'gil@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(a, laptop);
    const { d, flow } = await passwordStep('gil@clinic.org');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const options = (
        await d.post('/api/v1/sign-in/method', { flow: flow.flow, method: 'passkey' })
      ).json().flow.passkey.options;
      const res = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
        flow: flow.flow,
        credential: laptop.get(options, { origin: 'https://evil.example' }),
      });
      codes.push(res.json().error.code);
    }
    expect(codes).toEqual([...Array(5).fill('PASSKEY_INVALID'), 'TOO_MANY_ATTEMPTS']);
    expect((await audit('code.failed')).map((e) => e.details.purpose)).toEqual(
      Array(5).fill('second_factor'),
    );
  });

  it('never makes a passkey without user verification a password-less sign-in, even as a second factor', async () => {
    const a = await signedInClient(app, 'hen@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(a, laptop);
    expect((await passkeySignIn(new Client(app), laptop, { uv: false })).statusCode).toBe(400);
    const { d, flow } = await passwordStep('hen@clinic.org');
    const signed = await pastReminder(d, '/api/v1/sign-in/verify-passkey', {
      flow: flow.flow,
      credential: laptop.get(flow.passkey.options, { uv: false }),
    });
    expect(methods(signed)).toEqual(['pwd', 'hwk']); // two factors: the password and the key
  });
});

describe('a passkey for a step-up (S15, S20)', () => {
  it('refuses a code where an assertion is asked, and leaves the ceremony to be answered', async () => {
    await start();
    const c = await readyClient('jon@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(c, laptop);
    const started = (await c.post('/api/v1/step-up/start', { channel: 'passkey' })).json().flow;
    const typed = await c.post('/api/v1/step-up/verify', { flow: started.flow, code: '123456' });
    expect(typed.statusCode).toBe(409);
    expect(typed.json().error.code).toBe('FLOW_STATE_CONFLICT');
    const answered = await c.post('/api/v1/step-up/verify-passkey', {
      flow: started.flow,
      credential: laptop.get(started.passkey.options),
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json().validUntil).toEqual(expect.any(String));
  });
});

describe('what is stored', () => {
  it('keeps public keys only, and no challenge in the audit log or the logs', async () => {
    await start();
    const c = await readyClient('ivy@clinic.org');
    const laptop = new SoftwareAuthenticator(ORIGIN);
    const { credential } = await addPasskey(c, laptop);
    const { flow, options } = (await c.post('/api/v1/sign-in/passkey/options')).json();
    await c.post('/api/v1/sign-in/passkey', {
      flow,
      credential: laptop.get(options, { origin: 'https://evil.example' }),
    });
    // The library names the challenge it expected when another one answers: not in our logs.
    const second = (await c.post('/api/v1/sign-in/passkey/options')).json();
    await c.post('/api/v1/sign-in/passkey', {
      flow: second.flow,
      credential: laptop.get(second.options, { challenge: options.challenge }),
    });
    const row = await app.services.store.db
      .selectFrom('passkeys')
      .selectAll()
      .executeTakeFirstOrThrow();
    const privateD = credential.privateKey.export({ format: 'jwk' }).d!;
    expect(JSON.stringify(row)).not.toContain(privateD);
    const auditText = JSON.stringify(
      await app.services.store.db.selectFrom('audit_events').selectAll().execute(),
    );
    expect(auditText).not.toContain(options.challenge);
    expect(logLines.join('\n')).toContain('request refused'); // the refusal is logged…
    for (const challenge of [options.challenge, second.options.challenge])
      expect(logLines.join('\n')).not.toContain(challenge); // …without the challenges
  });
});
