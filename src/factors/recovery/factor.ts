/**
 * The saved recovery code as a sign-in factor (`recovery_code`): checked and spent at once (S14),
 * counted against the account (S5); the flow then shows its replacement. (The password reset
 * checks it without spending it, and spends it only when the new password is set.)
 */
import { amrAt, codeOf, type Factor, type MethodDescriptor } from '../factor.js';
import type { RecoveryCodeVerifier } from './verifier.js';

export const recoveryCodeMethod: MethodDescriptor = {
  id: 'recovery_code',
  factor: 'recovery_code',
  answer: 'code',
  sent: false,
  phishingResistant: false,
  raisesAal: true,
  fallback: true,
  spentByUse: true,
  held: (factors) => factors.recoveryCode !== undefined,
};

export function createRecoveryCodeFactor(deps: {
  clock: { now(): number };
  recovery: Pick<RecoveryCodeVerifier, 'use'>;
}): Factor {
  return {
    method: recoveryCodeMethod,
    assertMayStart: async () => {},
    start: async () => ({}),
    async verify({ account, answer, origin, onFailure }) {
      await deps.recovery.use({
        account,
        code: codeOf(answer),
        origin,
        ...(onFailure ? { onFailure } : {}),
      });
      const at = deps.clock.now();
      return { method: 'recovery_code', at, amr: amrAt('recovery_code', at) };
    },
    destination: () => null,
  };
}
