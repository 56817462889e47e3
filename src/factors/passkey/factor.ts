/**
 * A passkey as the proof of someone already named (the second factor, a step-up, a recovery
 * code's confirmation), S15: starting makes a ceremony for the account's usable passkeys, which
 * the flow holds and takes out (versioned write) before the answer is verified; the assertion must
 * be of one of the account's passkeys. Its `amr` is `hwk` or `swk`, with `user` when the
 * authenticator verified the user.
 */
import type { AmrEntry } from '../../sessions/sessions.js';
import { assertionOf, type Factor, type MethodDescriptor } from '../factor.js';
import { heldPasskeyCeremony, liveChallenge } from './ceremony.js';
import type { PasskeyRepo } from './repo.js';
import type { PasskeyProof, PasskeyVerifier } from './verifier.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';

export const passkeyMethod: MethodDescriptor = {
  id: 'passkey',
  factor: 'passkey',
  answer: 'assertion',
  sent: false,
  phishingResistant: true,
  raisesAal: true,
  fallback: false,
  spentByUse: false,
  held: (factors) => factors.passkeys > 0,
};

/** A passkey's `amr`: `hwk` or `swk`, and `user` when the user was verified. */
export function passkeyAmr(p: PasskeyProof): AmrEntry[] {
  return [{ method: p.key, at: p.at }, ...(p.userVerified ? [{ method: 'user', at: p.at }] : [])];
}

export function createPasskeyFactor(deps: {
  clock: { now(): number };
  rp: RelyingPartyConfig;
  passkeys: Pick<PasskeyRepo, 'list'>;
  passkey: PasskeyVerifier;
}): Factor {
  return {
    method: passkeyMethod,
    assertMayStart: async () => {},
    start: async ({ account }) => ({ ceremony: await heldPasskeyCeremony(deps, account.id) }),
    async verify({ account, answer, challenge, purpose, origin, onFailure }) {
      const response = assertionOf(answer);
      const { proof } = await deps.passkey.verify({
        accountId: account.id,
        response,
        challenge: liveChallenge(challenge.ceremony, deps.clock.now()),
        purpose,
        origin,
        ...(onFailure ? { onFailure } : {}),
      });
      return {
        method: 'passkey',
        at: proof.at,
        amr: passkeyAmr(proof),
        userVerified: proof.userVerified,
      };
    },
    destination: () => null,
  };
}
