// Every call these pages make to the server, one route each: its body, answer and error codes
// come from the OpenAPI document (api-client.ts), so a page that disagrees with the API fails
// the type-check (`npm run typecheck:web`).
import { endpoint, isApiError, type ApiError } from './api-client';
import type {
  CodeChannel,
  PhoneChannel,
  ResetMethod,
  ResetSecondFactor,
  StepUpMethod,
} from './api-types';
import type { PasskeyAssertion, PasskeyAttestation } from './passkey';

export { ApiError, isApiError } from './api-client';

/** The flow a page was driving is gone (expired or unknown): a sign-in's or a password reset's. */
export function isFlowGone(
  error: unknown,
): error is ApiError<'FLOW_NOT_FOUND' | 'RESET_NOT_FOUND'> {
  return isApiError(error, 'FLOW_NOT_FOUND', 'RESET_NOT_FOUND');
}

const v1 = '/api/v1';

export const api = {
  config: endpoint('get', `${v1}/config`),
  signUp: endpoint('post', `${v1}/sign-up`, (email: string, password: string) => ({
    body: { email, password },
  })),
  lookupInvitation: endpoint('post', `${v1}/invitations/lookup`, (token: string) => ({
    body: { token },
  })),
  acceptInvitation: endpoint(
    'post',
    `${v1}/invitations/accept`,
    (token: string, password: string) => ({
      body: { token, password },
    }),
  ),
  signIn: endpoint('post', `${v1}/sign-in`, (email: string, password: string) => ({
    body: { email, password },
  })),
  currentStep: endpoint('post', `${v1}/sign-in/flow`, (flow: string) => ({ body: { flow } })),
  verifyEmail: endpoint('post', `${v1}/sign-in/verify-email`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  /** Same channel (or none): a new code after the cooldown; another channel: switch to it. */
  resendCode: endpoint(
    'post',
    `${v1}/sign-in/resend-code`,
    (flow: string, channel?: CodeChannel) => ({
      body: channel ? { flow, channel } : { flow },
    }),
  ),
  verifyCode: endpoint('post', `${v1}/sign-in/verify-code`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  submitPhone: endpoint(
    'post',
    `${v1}/sign-in/phone`,
    (flow: string, phone: string, channel: PhoneChannel) => ({ body: { flow, phone, channel } }),
  ),
  /** The number an administrator entered: verify another way instead (it stays pending). */
  declinePendingPhone: endpoint('post', `${v1}/sign-in/pending-phone/decline`, (flow: string) => ({
    body: { flow },
  })),
  /** "Skip for Now": the phone offered (seed 000), or the policy's minimum before its date. */
  skipPhone: endpoint('post', `${v1}/sign-in/skip`, (flow: string) => ({ body: { flow } })),
  /** A way to meet the policy's minimum (an index into `minimum.ways`); again: a fresh start. */
  chooseMinimum: endpoint('post', `${v1}/sign-in/minimum`, (flow: string, choice: number) => ({
    body: { flow, choice },
  })),
  /** In enrol_totp: a code from the new app confirms it. */
  confirmSignInTotp: endpoint('post', `${v1}/sign-in/totp`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  /** In enrol_passkey: the new passkey's answer to the flow's (single-use) ceremony. */
  registerSignInPasskey: endpoint(
    'post',
    `${v1}/sign-in/passkey-registration`,
    (flow: string, name: string, credential: PasskeyAttestation) => ({
      body: { flow, name, credential },
    }),
  ),
  /** In the second-factor step: a passkey (a new ceremony), the app or the recovery code instead. */
  chooseMethod: endpoint(
    'post',
    `${v1}/sign-in/method`,
    (flow: string, method: 'passkey' | 'totp' | 'recovery_code') => ({ body: { flow, method } }),
  ),
  /** In the second-factor step: the passkey's answer to the flow's ceremony. */
  verifySignInPasskey: endpoint(
    'post',
    `${v1}/sign-in/verify-passkey`,
    (flow: string, credential: PasskeyAssertion) => ({ body: { flow, credential } }),
  ),
  /** "Sign in with a passkey" (or autofill): a ceremony any of the user's passkeys may answer. */
  passkeySignInOptions: endpoint('post', `${v1}/sign-in/passkey/options`),
  signInWithPasskey: endpoint(
    'post',
    `${v1}/sign-in/passkey`,
    (flow: string, credential: PasskeyAssertion) => ({ body: { flow, credential } }),
  ),
  startPasskey: endpoint('post', `${v1}/passkeys/start`),
  finishPasskey: endpoint(
    'post',
    `${v1}/passkeys/finish`,
    (flow: string, name: string, credential: PasskeyAttestation) => ({
      body: { flow, name, credential },
    }),
  ),
  renamePasskey: endpoint('patch', `${v1}/passkeys/{id}`, (id: string, name: string) => ({
    params: { id },
    body: { name },
  })),
  removePasskey: endpoint('delete', `${v1}/passkeys/{id}`, (id: string) => ({ params: { id } })),
  verifyStepUpPasskey: endpoint(
    'post',
    `${v1}/step-up/verify-passkey`,
    (flow: string, credential: PasskeyAssertion) => ({ body: { flow, credential } }),
  ),
  /** In the save-recovery-code step: the user saved the code shown; sign-in goes on. */
  signInRecoveryCodeSaved: endpoint(
    'post',
    `${v1}/sign-in/recovery-code-saved`,
    (flow: string) => ({
      body: { flow },
    }),
  ),
  /** "Forgot your password?": the same answer whether or not the address has an account. */
  startReset: endpoint('post', `${v1}/password-reset`, (email: string, method: ResetMethod) => ({
    body: { email, method },
  })),
  resetStep: endpoint('post', `${v1}/password-reset/flow`, (flow: string) => ({ body: { flow } })),
  resetVerifyCode: endpoint(
    'post',
    `${v1}/password-reset/verify-code`,
    (flow: string, code: string) => ({
      body: { flow, code },
    }),
  ),
  resetRecoveryCode: endpoint(
    'post',
    `${v1}/password-reset/recovery-code`,
    (flow: string, code: string) => ({ body: { flow, code } }),
  ),
  resetSecondFactor: endpoint(
    'post',
    `${v1}/password-reset/second-factor`,
    (flow: string, factor: ResetSecondFactor) => ({ body: { flow, factor } }),
  ),
  /** In the reset's second-factor step: the passkey's answer to the flow's ceremony. */
  resetVerifyPasskey: endpoint(
    'post',
    `${v1}/password-reset/verify-passkey`,
    (flow: string, credential: PasskeyAssertion) => ({ body: { flow, credential } }),
  ),
  resetResendCode: endpoint('post', `${v1}/password-reset/resend-code`, (flow: string) => ({
    body: { flow },
  })),
  resetPassword: endpoint(
    'post',
    `${v1}/password-reset/password`,
    (flow: string, password: string, endSessions: boolean) => ({
      body: { flow, password, endSessions },
    }),
  ),
  resetRecoveryCodeSaved: endpoint(
    'post',
    `${v1}/password-reset/recovery-code-saved`,
    (flow: string) => ({ body: { flow } }),
  ),
  /** Change the password (after a step-up); optionally sign out the other devices. */
  changePassword: endpoint(
    'post',
    `${v1}/account/password`,
    (currentPassword: string, newPassword: string, endOtherSessions: boolean) => ({
      body: { currentPassword, newPassword, endOtherSessions },
    }),
  ),
  /** Change the email (after a step-up): a code goes to the new address. */
  startEmailChange: endpoint('post', `${v1}/account/email`, (newEmail: string) => ({
    body: { newEmail },
  })),
  resendEmailChange: endpoint('post', `${v1}/account/email/resend`, (flow: string) => ({
    body: { flow },
  })),
  /** "Verify Email Address": a code to the account's own address, then that code. */
  startEmailVerify: endpoint('post', `${v1}/account/email/verify`),
  resendEmailVerify: endpoint('post', `${v1}/account/email/verify/resend`, (flow: string) => ({
    body: { flow },
  })),
  confirmEmailVerify: endpoint(
    'post',
    `${v1}/account/email/verify/confirm`,
    (flow: string, code: string) => ({ body: { flow, code } }),
  ),
  confirmEmailChange: endpoint(
    'post',
    `${v1}/account/email/confirm`,
    (flow: string, code: string) => ({ body: { flow, code } }),
  ),
  accountActivity: endpoint('get', `${v1}/account/activity`),
  session: endpoint('get', `${v1}/session`),
  signOut: endpoint('post', `${v1}/sign-out`),
  sessions: endpoint('get', `${v1}/sessions`),
  consentRequest: endpoint('get', '/oidc/interaction/{uid}/consent', (uid: string) => ({
    params: { uid },
  })),
  answerConsent: endpoint(
    'post',
    '/oidc/interaction/{uid}/consent',
    (uid: string, allow: boolean) => ({ params: { uid }, body: { allow } }),
  ),
  endSession: endpoint('delete', `${v1}/sessions/{id}`, (id: string) => ({ params: { id } })),
  endOtherSessions: endpoint('post', `${v1}/sessions/end-others`),
  accountSecurity: endpoint('get', `${v1}/account/security`),
  startStepUp: endpoint('post', `${v1}/step-up/start`, (channel: StepUpMethod) => ({
    body: { channel },
  })),
  /** Same method (or none): a new code after the cooldown; another method: switch to it. */
  resendStepUp: endpoint(
    'post',
    `${v1}/step-up/resend`,
    (flow: string, channel?: StepUpMethod) => ({
      body: channel ? { flow, channel } : { flow },
    }),
  ),
  verifyStepUp: endpoint('post', `${v1}/step-up/verify`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  startPhone: endpoint('post', `${v1}/phone/start`, (phone: string, channel: PhoneChannel) => ({
    body: { phone, channel },
  })),
  resendPhone: endpoint('post', `${v1}/phone/resend`, (flow: string, channel?: PhoneChannel) => ({
    body: channel ? { flow, channel } : { flow },
  })),
  confirmPhone: endpoint('post', `${v1}/phone/confirm`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  removePhone: endpoint('delete', `${v1}/phone`),
  startTotp: endpoint('post', `${v1}/totp/start`),
  confirmTotp: endpoint('post', `${v1}/totp/confirm`, (flow: string, code: string) => ({
    body: { flow, code },
  })),
  removeTotp: endpoint('delete', `${v1}/totp`),
  /** "Get a new code": the old recovery code stops working at once. */
  newRecoveryCode: endpoint('post', `${v1}/recovery-code`),
  recoveryCodeSaved: endpoint('post', `${v1}/recovery-code/saved`),
  outbox: endpoint('get', `${v1}/dev/outbox`, (to: string) => (to ? { query: { to } } : {})),
};
