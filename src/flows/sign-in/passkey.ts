/**
 * Passkeys at sign-in (S15). Password-less: the page asks for a ceremony (a flow of its own,
 * holding the challenge for the ceremony's timeout), the browser answers with any discoverable
 * passkey of this RP (the "Sign in with a passkey" button, or autofill in the email field), and
 * the answer is taken once: the ceremony flow is moved to `done` (a versioned write) before the
 * assertion is verified. User verification is required: a passkey alone is then multi-factor
 * (AAL2, `hwk`/`swk` + `user`); without it nothing signs in. The account's owed steps (verify
 * email, save a recovery code, …) follow as after a password, minus the second factor.
 * (A passkey as the second factor after a password is the registry's, `second-factor.ts`.)
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import {
  authenticationCeremony,
  liveChallenge,
  type AuthenticationCeremony,
  type RequestOptions,
} from '../../factors/passkey/ceremony.js';
import { sessionFlow } from '../../store/flow-store.js';
import type { SignInCore, SignInDeps, SignInResult } from './core.js';

/** Its table: pending until done (`sessionFlowTransitions`). */
export const passkeySignInFlow = sessionFlow('passkey_sign_in');
const FLOW_KIND = passkeySignInFlow.kind;

export interface PasskeySignInView {
  flow: string;
  options: RequestOptions;
  expiresAt: number;
}

type Answer = { token: string; response: AuthenticationResponseJSON; origin: RequestOrigin };

export function createPasskeySignIn(d: SignInDeps, core: SignInCore) {
  async function passwordless({ token, response, origin }: Answer): Promise<SignInResult> {
    const flow = await d.flows.load<'pending' | 'done', AuthenticationCeremony>(token, FLOW_KIND);
    if (flow.state !== 'pending') throw new AppError('CEREMONY_EXPIRED');
    await d.flows.save(flow, { state: 'done', data: flow.data });
    const challenge = liveChallenge(flow.data, d.clock.now());
    const { passkey, proof } = await d.passkey.identify({ response, challenge, origin });
    const acc = await d.accounts.byId(passkey.account_id);
    if (!acc || acc.state === 'invited') throw new AppError('PASSKEY_INVALID');
    if (acc.state === 'disabled') throw new AppError('ACCOUNT_DISABLED');
    return core.begin(acc, { passkeySignIn: proof }, origin);
  }

  return {
    async options(): Promise<PasskeySignInView> {
      const ceremony = authenticationCeremony(d.rp, d.clock.now(), {
        userVerification: 'required',
      });
      const { token } = await d.flows.create<'pending' | 'done', AuthenticationCeremony>({
        kind: FLOW_KIND,
        state: 'pending',
        accountId: null,
        data: ceremony,
        ttlMs: d.rp.timeoutMs,
      });
      return { flow: token, ...ceremony };
    },

    async finish(answer: Answer): Promise<SignInResult> {
      try {
        return await passwordless(answer);
      } catch (err) {
        const code = err instanceof AppError ? err.code : undefined;
        core.outcome(code === 'ACCOUNT_DISABLED' ? 'disabled' : 'invalid_credentials');
        throw err;
      }
    },
  };
}
