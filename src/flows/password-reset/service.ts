/**
 * Forgotten password (DESIGN "Flows", S6, S22). The policy says how a signed-out user proves who
 * they are: a code sent to the email, or the recovery code followed by a passkey, a code from the
 * authenticator app or a code sent to the phone. Then they choose a new password; their sessions
 * end if they ask, they are told by email, and they are *not* signed in — the next sign-in asks
 * for every factor the policy asks for. Each step is a module of its own (`start`, `email-step`,
 * `second-factor`, `new-password`) on one core (`core.ts`); this service routes a request to the
 * step the flow is at.
 *
 * Unknown addresses answer exactly like known ones: a flow is created and a code issued for
 * both (for an unknown address it is sent nowhere), the email itself goes out after the answer
 * (so its sending time tells nothing), limits count per address whether or not it has an
 * account, and a recovery code typed for an unknown address costs the same argon2id
 * verification as a real one.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RequestOrigin } from '../../audit/audit.js';
import type { PasswordResetMethod } from '../../policy/presets.js';
import { createResetCore, type PasswordResetDeps } from './core.js';
import { createEmailStep } from './email-step.js';
import type { ResetSecondFactor } from './machine.js';
import { createNewPasswordStep, type ResetResult } from './new-password.js';
import { createSecondFactorStep } from './second-factor.js';
import { createResetStart } from './start.js';
import type { ResetView } from './view.js';

export { RESET_LIMITS, type PasswordResetDeps } from './core.js';
export type { ResetResult, ResetView };

export interface PasswordResetService {
  start(input: {
    email: string;
    method: PasswordResetMethod;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  view(token: string): Promise<ResetView>;
  /** The code of email_code, or the app or phone code of second_factor. */
  verifyCode(input: { token: string; code: string; origin: RequestOrigin }): Promise<ResetView>;
  recoveryCode(input: { token: string; code: string; origin: RequestOrigin }): Promise<ResetView>;
  /** In second_factor: the passkey's answer to the flow's ceremony. */
  verifyPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  /**
   * In second_factor: a passkey (a new ceremony), the app, or a code sent by text or call (sent
   * at once).
   */
  chooseSecondFactor(input: {
    token: string;
    factor: ResetSecondFactor;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  resendCode(input: { token: string; origin: RequestOrigin }): Promise<ResetView>;
  setPassword(input: {
    token: string;
    password: string;
    endSessions: boolean;
    origin: RequestOrigin;
  }): Promise<ResetResult>;
  recoveryCodeSaved(input: { token: string; origin: RequestOrigin }): Promise<ResetResult>;
}

export function createPasswordResetService(d: PasswordResetDeps): PasswordResetService {
  const core = createResetCore(d);
  const email = createEmailStep(d, core);
  const second = createSecondFactorStep(d, core);
  const password = createNewPasswordStep(d, core);

  return {
    start: createResetStart(d, core, email),

    async view(token) {
      const { flow, acc } = await core.load(
        token,
        'email_code',
        'recovery_code',
        'second_factor',
        'new_password',
        'save_recovery_code',
      );
      return core.present(token, flow, await core.viewFactors(flow, acc));
    },

    async verifyCode({ token, code, origin }) {
      const { flow, acc } = await core.load(token, 'email_code', 'second_factor');
      if (flow.state === 'email_code') return email.verify(token, flow, acc, code, origin);
      return second.answer(token, flow, acc, { code }, origin);
    },

    async recoveryCode({ token, code, origin }) {
      const { flow, acc } = await core.load(token, 'recovery_code');
      return second.recoveryCode(token, flow, acc, code, origin);
    },

    async verifyPasskey({ token, response, origin }) {
      const { flow, acc } = await core.load(token, 'second_factor');
      return second.answer(token, flow, acc, { assertion: response }, origin);
    },

    async chooseSecondFactor({ token, factor, origin }) {
      const { flow, acc } = await core.load(token, 'second_factor');
      return second.choose(token, flow, acc, factor, origin);
    },

    async resendCode({ token, origin }) {
      const { flow, acc } = await core.load(token, 'email_code', 'second_factor');
      if (flow.state === 'second_factor') return second.resend(token, flow, acc, origin);
      return email.resend(token, flow, acc);
    },

    async setPassword({ token, password: typed, endSessions, origin }) {
      const { flow, acc } = await core.load(token, 'new_password');
      return password.setPassword(token, flow, core.requireAccount(acc), {
        password: typed,
        endSessions,
        origin,
      });
    },

    async recoveryCodeSaved({ token, origin }) {
      const { flow, acc } = await core.load(token, 'save_recovery_code');
      return password.recoveryCodeSaved(flow, core.requireAccount(acc), origin);
    },
  };
}
