/**
 * What the forgotten-password pages are shown of a reset. Before the user has proved anything
 * the view is built from the flow alone (the address as typed, the pending code's timing), so it
 * is the same for an address with no account (S6); the account's passkeys, phone and app appear
 * only after the recovery code was right.
 */
import type { ChallengeView } from '../../factors/otp-code/challenge.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { AuthenticationCeremony } from '../../factors/passkey/ceremony.js';
import { isSentMethod } from '../../factors/registry.js';
import { formatRecoveryCode } from '../../factors/recovery/code.js';
import type { PasswordResetMethod } from '../../policy/presets.js';
import type { ResetFlow, ResetSecondFactor, ResetState } from './machine.js';
import type { Account } from '../../store/schema.js';
import type { PasswordResetDeps } from './core.js';

export interface ResetView {
  flow: string;
  step: Exclude<ResetState, 'completed'>;
  method: PasswordResetMethod;
  /** The address as the user typed it. */
  email: string;
  expiresAt: number;
  serverTime: number;
  /** Where the pending code went: the address as typed, or the masked phone. */
  destination: string | null;
  code: ChallengeView | null;
  /** In second_factor: what is being entered now, and every way the account offers. */
  secondFactor: { current: ResetSecondFactor; choices: ResetSecondFactor[] } | null;
  /** In second_factor with a passkey: the ceremony to answer (navigator.credentials.get). */
  passkey: AuthenticationCeremony | null;
  /** In save_recovery_code: the new code, shown until the user says it is saved. */
  recoveryCode: { code: string; digits: number; createdAt: number } | null;
}

/** In second_factor: the account, what it holds, and the ways its policy lets it confirm with. */
export interface SecondFactorContext {
  account: Account;
  factors: AccountFactors;
  choices: ResetSecondFactor[];
}

/** Binds a sealed recovery code to its flow. */
export const recoveryAad = (flowId: string) => `password-reset-recovery-code:${flowId}`;

export function createResetView(
  d: Pick<PasswordResetDeps, 'clock' | 'challenges' | 'box' | 'factors'>,
) {
  return async function present(
    token: string,
    flow: ResetFlow,
    second: SecondFactorContext | undefined,
  ): Promise<ResetView> {
    if (flow.state === 'completed') throw new Error('a completed reset has no page');
    const { data } = flow;
    let destination: string | null = null;
    let code: ChallengeView | null = null;
    let secondFactor: ResetView['secondFactor'] = null;
    let passkey: AuthenticationCeremony | null = null;
    let recoveryCode: ResetView['recoveryCode'] = null;
    if (flow.state === 'email_code') {
      destination = flow.data.email;
      code = await d.challenges.view(
        { flowId: flow.id, purpose: 'password_reset' },
        'email',
        flow.data.codeLength,
      );
    }
    if (flow.state === 'second_factor' && second) {
      const current = flow.data.secondFactor;
      const { account, factors, choices } = second;
      secondFactor = { current, choices };
      passkey = flow.data.challenge?.ceremony ?? null;
      if (isSentMethod(current)) {
        destination = d.factors.get(current).destination(account, factors);
        code = await d.challenges.view(
          { flowId: flow.id, purpose: 'second_factor' },
          current,
          (await d.challenges.rules(flow.accountId)).length,
        );
      }
    }
    if (flow.state === 'save_recovery_code') {
      const sealed = flow.data.newRecoveryCode;
      const shown = d.box.open(sealed, recoveryAad(flow.id)).toString();
      const createdAt = sealed.createdAt;
      recoveryCode = { code: formatRecoveryCode(shown), digits: shown.length, createdAt };
    }
    return {
      flow: token,
      step: flow.state,
      method: data.method,
      email: data.email,
      expiresAt: flow.expiresAt,
      serverTime: d.clock.now(),
      destination,
      code,
      secondFactor,
      passkey,
      recoveryCode,
    };
  };
}
