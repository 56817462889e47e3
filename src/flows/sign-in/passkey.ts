/**
 * Password-less sign-in with a passkey (S15): the page asks for a ceremony (a flow of its own,
 * holding the challenge for the ceremony's timeout), the browser answers with any discoverable
 * passkey of this RP (the "Sign in with a passkey" button, or autofill in the email field), and
 * the answer is taken once: the ceremony flow is moved to `done` (a versioned write) before the
 * assertion is verified. User verification is required: a passkey alone is then multi-factor
 * (AAL2, `hwk`/`swk` + `user`); without it nothing signs in. The account's owed steps (verify
 * email, save a recovery code, …) follow as after a password, minus the second factor.
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
import type { Account } from '../../store/schema.js';
import type { SignInData } from './machine.js';
import type { SignInDeps, SignInResult } from './service.js';

const FLOW_KIND = 'passkey_sign_in';

export interface PasskeySignInView {
  flow: string;
  options: RequestOptions;
  expiresAt: number;
}

type Begin = (acc: Account, data: SignInData, origin: RequestOrigin) => Promise<SignInResult>;

export function createPasskeySignIn(d: SignInDeps, begin: Begin) {
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

    async finish(input: {
      token: string;
      response: AuthenticationResponseJSON;
      origin: RequestOrigin;
    }): Promise<SignInResult> {
      const flow = await d.flows.load<'pending' | 'done', AuthenticationCeremony>(
        input.token,
        FLOW_KIND,
      );
      if (flow.state !== 'pending') throw new AppError('CEREMONY_EXPIRED');
      await d.flows.save(flow, { state: 'done', data: flow.data });
      const challenge = liveChallenge(flow.data, d.clock.now());
      const { passkey, proof } = await d.passkey.identify({
        response: input.response,
        challenge,
        origin: input.origin,
      });
      const acc = await d.db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', passkey.account_id)
        .executeTakeFirst();
      if (!acc || acc.state === 'invited') throw new AppError('PASSKEY_INVALID');
      if (acc.state === 'disabled') throw new AppError('ACCOUNT_DISABLED');
      return begin(acc, { passkeySignIn: proof }, input.origin);
    },
  };
}
