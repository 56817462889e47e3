import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import type { AccountFactors } from './account-factors.js';
import type { Answer, VerifyInput } from './factor.js';
import { passkeyAmr } from './passkey/factor.js';
import {
  createFactorRegistry,
  methods,
  usableMethods,
  type FactorRegistryDeps,
} from './registry.js';

const phone = (kind: 'mobile' | 'landline') =>
  ({ kind, e164: '+447546123456', country: 'GB' }) as unknown as AccountFactors['phone'];
const everything: AccountFactors = {
  phone: phone('mobile'),
  totp: { id: 't', addedAt: 0, lastUsedAt: null },
  recoveryCode: { id: 'r', saved: true },
  passkeys: 2,
};
const all = ['password', 'phone', 'totp', 'passkey', 'recovery_code'] as const;

describe('the methods an account holds', () => {
  it('lists them strongest first: passkey, app, recovery code, text, call, email', () => {
    expect(usableMethods(everything, { allowed: all, recoveryCode: true, email: true })).toEqual([
      'passkey',
      'totp',
      'recovery_code',
      'sms',
      'voice',
      'email',
    ]);
  });

  it('keeps to what the policy allows and the flow accepts', () => {
    const rules = { allowed: ['phone', 'totp'] as const, recoveryCode: false, email: false };
    expect(usableMethods(everything, rules)).toEqual(['totp', 'sms', 'voice']);
    expect(
      usableMethods({ ...everything, phone: phone('landline') }, { ...rules, allowed: ['phone'] }),
    ).toEqual(['voice']);
  });

  it('counts only passkeys that may sign in, and nothing the account lacks', () => {
    const none: AccountFactors = {
      phone: undefined,
      totp: undefined,
      recoveryCode: undefined,
      passkeys: 0,
    };
    expect(usableMethods(none, { allowed: all, recoveryCode: true, email: false })).toEqual([]);
  });

  it('says which are phishing-resistant, sent, and raise a session to AAL2 (never email, S9)', () => {
    const by = (f: (m: (typeof methods)[number]) => boolean) => methods.filter(f).map((m) => m.id);
    expect(by((m) => m.phishingResistant)).toEqual(['passkey']);
    expect(by((m) => m.sent)).toEqual(['sms', 'voice', 'email']);
    expect(by((m) => !m.raisesAal)).toEqual(['email']);
    expect(by((m) => m.fallback)).toEqual(['recovery_code']);
  });
});

/** The verifiers as the registry sees them: they accept every answer, recording the call. */
function registry() {
  const calls: string[] = [];
  const deps = {
    clock: { now: () => 5 },
    codes: { verify: async () => ({ kind: 'verified' }) },
    challenges: {},
    throttle: { attempt: async () => 0, reset: async () => {} },
    audit: { record: async () => {} },
    phones: { touch: async () => void calls.push('phone touched') },
    totp: { verify: async () => void calls.push('totp') },
    recovery: { use: async () => void calls.push('recovery code spent') },
    rp: {},
    passkeys: { list: async () => [] },
    passkey: {
      verify: async () => ({ proof: { at: 7, key: 'hwk', userVerified: true } }),
    },
  } as unknown as FactorRegistryDeps;
  return { factors: createFactorRegistry(deps), calls };
}

const input = (answer: Answer): VerifyInput =>
  ({
    account: { id: 'a', email: 'a@example.com' },
    factors: everything,
    binding: { flowId: 'f', purpose: 'second_factor' },
    origin: { ip: null, userAgent: null },
    answer,
    challenge: { ceremony: { options: { challenge: 'c' }, expiresAt: 10 } },
    purpose: 'second_factor',
  }) as unknown as VerifyInput;

describe('the factors behind one interface', () => {
  it('name each proof in RFC 8176 words', async () => {
    const { factors, calls } = registry();
    const amr = async (id: Parameters<typeof factors.get>[0], answer: Answer) =>
      (await factors.get(id).verify(input(answer))).amr.map((e) => e.method);
    expect(await amr('totp', { code: '123456' })).toEqual(['otp']);
    expect(await amr('recovery_code', { code: '1234' })).toEqual(['recovery_code']);
    expect(await amr('sms', { code: '123456' })).toEqual(['sms']);
    expect(await amr('voice', { code: '123456' })).toEqual(['tel']);
    expect(await amr('email', { code: '123456' })).toEqual(['email']);
    expect(await amr('passkey', { assertion: {} as never })).toEqual(['hwk', 'user']);
    expect(calls).toEqual(['totp', 'recovery code spent', 'phone touched', 'phone touched']);
    expect(passkeyAmr({ key: 'swk', at: 7, userVerified: false })).toEqual([
      { method: 'swk', at: 7 },
    ]);
  });

  it('refuse an answer of the wrong kind before any check runs', async () => {
    const { factors, calls } = registry();
    for (const m of methods) {
      const wrong: Answer = m.answer === 'code' ? { assertion: {} as never } : { code: '123456' };
      const refused = await factors
        .get(m.id)
        .verify(input(wrong))
        .catch((err: unknown) => err);
      expect(refused, m.id).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('FLOW_STATE_CONFLICT');
    }
    expect(calls).toEqual([]);
  });
});
