/**
 * Store conformance: the OpenID Connect provider's adapter (issue 14) on SQLite and PostgreSQL —
 * what is stored is found again by id, by a session's uid and by a user code; an expired row is
 * absent and swept; revoking a grant removes its codes and tokens (never an interaction or a session that names it); and an authorization code is
 * consumed once, however many redemptions race (real concurrency on PostgreSQL): the losers are
 * refused and the grant the code belonged to is revoked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { kyselyAdapter, type OidcAdapter } from '../../src/oidc/adapter.js';
import type { TestStore } from '../helpers/stores.js';
import { storeDialects } from './fixtures.js';

class Refused extends Error {}

describe.each(storeDialects)('the OIDC adapter on %s', (_name, open) => {
  let t: TestStore;
  let clock: FakeClock;
  let Adapter: ReturnType<typeof kyselyAdapter>;
  beforeEach(async () => {
    t = await open();
    clock = new FakeClock();
    Adapter = kyselyAdapter(t.store.db, clock, (message) => new Refused(message));
  });
  afterEach(() => t.close());

  it('finds a payload by id, uid and user code, replaced in place, gone once destroyed', async () => {
    const sessions: OidcAdapter = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a1' }, 3600);
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'a1' });
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'a1' });
    await sessions.upsert('s1', { uid: 'u2', accountId: 'a1' }, 3600);
    expect(await sessions.findByUid('u1')).toBeUndefined();
    expect(await sessions.findByUid('u2')).toMatchObject({ uid: 'u2' });
    // Kinds never mix: the same id in another model is another row.
    expect(await new Adapter('Grant').find('s1')).toBeUndefined();
    const devices = new Adapter('DeviceCode');
    await devices.upsert('d1', { userCode: 'WDJB-MJHT' }, 600);
    expect(await devices.findByUserCode('WDJB-MJHT')).toEqual({ userCode: 'WDJB-MJHT' });
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('reads an expired payload as absent and sweeps it', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.upsert('forever', { grantId: 'g2' });
    clock.advance(60_001);
    expect(await codes.find('c1')).toBeUndefined();
    expect(await codes.find('forever')).toEqual({ grantId: 'g2' });
    clock.advance(60_000); // the next write sweeps (at most once a minute)
    await codes.upsert('c2', { grantId: 'g3' }, 60);
    const left = await t.store.db.selectFrom('oidc_payloads').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['c2', 'forever']);
  });

  it('revokes a grant: its codes and tokens, and the grant itself', async () => {
    await new Adapter('Grant').upsert('g1', { accountId: 'a1' }, 3600);
    await new Adapter('AccessToken').upsert('at1', { grantId: 'g1' }, 3600);
    await new Adapter('RefreshToken').upsert('rt1', { grantId: 'g1' }, 3600);
    await new Adapter('RefreshToken').upsert('rt2', { grantId: 'other' }, 3600);
    // An interaction in flight that names the grant (another user signing in on this browser
    // while the first user's grant is revoked) is not issued under it, nor a browser's session.
    await new Adapter('Interaction').upsert('i1', { grantId: 'g1' }, 3600);
    await new Adapter('Session').upsert('s1', { grantId: 'g1' }, 3600);
    await new Adapter('AccessToken').revokeByGrantId('g1');
    expect(await new Adapter('Interaction').find('i1')).toEqual({ grantId: 'g1' });
    expect(await new Adapter('Session').find('s1')).toEqual({ grantId: 'g1' });
    expect(await new Adapter('Grant').find('g1')).toBeUndefined();
    expect(await new Adapter('AccessToken').find('at1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('rt2')).toEqual({ grantId: 'other' });
  });

  it('consumes a code once: of 20 racing redemptions one wins, and the grant is revoked', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await new Adapter('AccessToken').upsert('at1', { grantId: 'g1' }, 3600);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => new Adapter('AuthorizationCode').consume('c1')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Refused);
    // The losers revoked the grant (a second redemption's rule): its token is gone.
    expect(await new Adapter('AccessToken').find('at1')).toBeUndefined();
  });

  it('says when a payload was consumed, in seconds, as the provider reads it', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.consume('c1');
    expect(await codes.find('c1')).toEqual({
      grantId: 'g1',
      consumed: Math.floor(clock.now() / 1000),
    });
  });
});
