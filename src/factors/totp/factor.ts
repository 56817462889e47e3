/**
 * The authenticator app as a factor (`otp`, RFC 8176): nothing is sent or kept in the flow; the
 * code the app shows now is checked once (S13), counted against the account (S5).
 */
import { amrAt, codeOf, type Factor, type MethodDescriptor } from '../factor.js';
import type { TotpVerifier } from './verifier.js';

export const totpMethod: MethodDescriptor = {
  id: 'totp',
  factor: 'totp',
  answer: 'code',
  sent: false,
  phishingResistant: false,
  raisesAal: true,
  fallback: false,
  spentByUse: false,
  held: (factors) => factors.totp !== undefined,
};

export function createTotpFactor(deps: { clock: { now(): number }; totp: TotpVerifier }): Factor {
  return {
    method: totpMethod,
    assertMayStart: async () => {},
    start: async () => ({}),
    async verify({ account, answer, purpose, origin, onFailure }) {
      await deps.totp.verify({
        accountId: account.id,
        code: codeOf(answer),
        purpose,
        origin,
        ...(onFailure ? { onFailure } : {}),
      });
      const at = deps.clock.now();
      return { method: 'totp', at, amr: amrAt('otp', at) };
    },
    destination: () => null,
  };
}
