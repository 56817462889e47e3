/**
 * Email addresses are compared as a person reads them (issue 11, item 6): `ⅴic@example.test`
 * (U+2174 SMALL ROMAN NUMERAL FIVE), `ＶＩＣ@example.test` and `vic@example.test` are one
 * account — at sign-up (S6: the same answer, no second account), invitation, email change and
 * sign-in — and a new address whose mailbox mixes scripts (`vіc` with a Cyrillic `і`) is refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { adminAtAal2 } from '../helpers/admin.js';
import { Client, finishSignIn, outbox, PASSWORD, signedInClient } from '../helpers/client.js';
import { testConfig } from '../helpers/config.js';
import { stepUpByEmail } from '../helpers/totp.js';

let app: FastifyInstance;
afterEach(() => app?.close());

async function start() {
  app = await build({ config: testConfig(), clock: new FakeClock(Date.UTC(2026, 2, 2)) });
}

const VIC = 'vic@example.test';
/** ⅴ is U+2174 SMALL ROMAN NUMERAL FIVE: NFKC makes it a v. */
const ROMAN_VIC = '\u2174ic@example.test';
const FULLWIDTH_VIC = '\uff36\uff29\uff23@example.test';
/** і is U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I. */
const CYRILLIC_VIC = 'v\u0456c@example.test';
const OTHER_PASSWORD = 'another long passphrase 42';

const accountRows = () =>
  app.services.store.db.selectFrom('accounts').select(['email', 'email_normalized']).execute();

describe('sign-up', () => {
  it('takes ⅴic@ and ＶＩＣ@ for the existing vic@: the same answer, and no second account', async () => {
    await start();
    const first = await new Client(app).post('/api/v1/sign-up', { email: VIC, password: PASSWORD });
    for (const lookalike of [ROMAN_VIC, FULLWIDTH_VIC]) {
      const again = await new Client(app).post('/api/v1/sign-up', {
        email: lookalike,
        password: OTHER_PASSWORD,
      });
      expect(again.statusCode).toBe(first.statusCode);
      expect(again.json()).toEqual(first.json());
    }
    expect(await accountRows()).toEqual([{ email: VIC, email_normalized: VIC }]);
    // vic is told at vic's own address; nothing goes to the lookalikes as typed.
    expect((await outbox(app, VIC)).filter((m) => /tried to create/.test(m.text))).toHaveLength(2);
    expect(await outbox(app, ROMAN_VIC)).toEqual([]);
  });

  it('refuses a mailbox that mixes Latin with a Cyrillic lookalike', async () => {
    await start();
    const res = await new Client(app).post('/api/v1/sign-up', {
      email: CYRILLIC_VIC,
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_EMAIL',
      details: { field: 'email', reason: 'confusable' },
    });
    expect(await accountRows()).toEqual([]);
  });
});

describe('sign-in', () => {
  it('signs vic in when the address is typed ⅴic@ or ＶＩＣ@; the lookalike’s password does nothing', async () => {
    await start();
    await signedInClient(app, VIC);
    await new Client(app).post('/api/v1/sign-up', { email: ROMAN_VIC, password: OTHER_PASSWORD });

    for (const typed of [ROMAN_VIC, FULLWIDTH_VIC]) {
      const c = new Client(app);
      const res = await finishSignIn(
        c,
        await c.post('/api/v1/sign-in', { email: typed, password: PASSWORD }),
        VIC,
      );
      expect(res.json().user.email).toBe(VIC);
    }
    const lookalike = await new Client(app).post('/api/v1/sign-in', {
      email: ROMAN_VIC,
      password: OTHER_PASSWORD,
    });
    expect(lookalike.json().error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('invitations', () => {
  it('will not invite ⅴic@ when vic@ has an account, nor a mixed-script address', async () => {
    await start();
    await signedInClient(app, VIC);
    const admin = await adminAtAal2(app, 'root@example.test');
    const lookalike = await admin.c.post('/api/v1/admin/invitations', {
      email: ROMAN_VIC,
      role: 'user',
    });
    expect(lookalike.json().error.message).toBe('An account with this email already exists.');
    const mixed = await admin.c.post('/api/v1/admin/invitations', {
      email: CYRILLIC_VIC,
      role: 'user',
    });
    expect(mixed.json().error).toMatchObject({ code: 'INVALID_EMAIL' });
    expect((await accountRows()).map((a) => a.email).sort()).toEqual(['root@example.test', VIC]);
  });
});

describe('changing the email address', () => {
  it('treats ⅴic@ as vic@’s address: no code goes to it, and vic is told', async () => {
    await start();
    await signedInClient(app, VIC);
    const ann = await signedInClient(app, 'ann@example.test');
    await stepUpByEmail(ann, 'ann@example.test');
    const started = await ann.post('/api/v1/account/email', { newEmail: ROMAN_VIC });
    expect(started.statusCode).toBe(200);
    // Nothing goes to the lookalike as typed: the owner of vic@ is told, with no code.
    expect(await outbox(app, ROMAN_VIC)).toEqual([]);
    const [told] = await outbox(app, VIC);
    expect(told?.text).toContain('asked to change');
    expect(told?.text).not.toMatch(/\d{6}/);
  });

  it('calls ＶＩＣ@ unchanged for vic, and refuses a mixed-script address', async () => {
    await start();
    const vic = await signedInClient(app, VIC);
    await stepUpByEmail(vic, VIC);
    const same = await vic.post('/api/v1/account/email', { newEmail: FULLWIDTH_VIC });
    expect(same.json().error.code).toBe('EMAIL_UNCHANGED');
    const mixed = await vic.post('/api/v1/account/email', { newEmail: CYRILLIC_VIC });
    expect(mixed.json().error).toMatchObject({
      code: 'INVALID_EMAIL',
      details: { reason: 'confusable' },
    });
  });
});
