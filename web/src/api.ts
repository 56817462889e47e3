// The one way these pages talk to the server: same-origin JSON, the CSRF header on every
// state-changing request, and `{ error: { code, message, details } }` turned into ApiError.
import type {
  AccountSecurity,
  ActivityEvent,
  CodeChannel,
  CodeFlow,
  ContinueAnswer,
  EmailChangeFlow,
  Invitation,
  MessageAnswer,
  OutboxMessage,
  PasskeyInfo,
  PasskeyRegistration,
  PasskeySignInStart,
  PhoneInfo,
  PortalConfig,
  RecoveryCodeShown,
  ResetAnswer,
  ResetContinue,
  ResetMethod,
  ResetSecondFactor,
  SessionAnswer,
  SessionSummary,
  SignInResult,
  StepUpFlow,
  StepUpMethod,
  TotpEnrolment,
  TotpInfo,
} from './api-types';
import type { PasskeyAssertion, PasskeyAttestation } from './passkey';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type PhoneChannel = 'sms' | 'voice';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get attemptsLeft(): number | undefined {
    return numberOrUndefined(this.details.attemptsLeft);
  }

  get retryAfterSeconds(): number | undefined {
    return numberOrUndefined(this.details.retryAfterSeconds);
  }
}

export function isApiError(error: unknown, ...codes: string[]): error is ApiError {
  return error instanceof ApiError && (codes.length === 0 || codes.includes(error.code));
}

/** The flow a page was driving is gone (expired or unknown): a sign-in's or a password reset's. */
export function isFlowGone(error: unknown): error is ApiError {
  return isApiError(error, 'FLOW_NOT_FOUND', 'RESET_NOT_FOUND');
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toApiError(response: Response, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const details = error && isRecord(error.details) ? { ...error.details } : {};
  const retryAfter = Number(response.headers.get('Retry-After'));
  if (details.retryAfterSeconds === undefined && retryAfter > 0) {
    details.retryAfterSeconds = retryAfter;
  }
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(response.status, error.code, error.message, details);
  }
  const message =
    response.status >= 500
      ? 'Something went wrong on our side. Please try again in a moment.'
      : 'The request could not be completed. Please reload the page and try again.';
  return new ApiError(response.status, `HTTP_${response.status}`, message, details);
}

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Portcullis-CSRF'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(
      0,
      'NETWORK_ERROR',
      'We could not reach the server. Check your connection and try again.',
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw toApiError(response, parsed);
  return parsed as T;
}

export const api = {
  config: () => request<PortalConfig>('GET', '/config'),
  signUp: (email: string, password: string) =>
    request<MessageAnswer>('POST', '/sign-up', { email, password }),
  lookupInvitation: (token: string) =>
    request<Invitation>('POST', '/invitations/lookup', { token }),
  acceptInvitation: (token: string, password: string) =>
    request<MessageAnswer>('POST', '/invitations/accept', { token, password }),
  signIn: (email: string, password: string) =>
    request<SignInResult>('POST', '/sign-in', { email, password }),
  currentStep: (flow: string) => request<ContinueAnswer>('POST', '/sign-in/flow', { flow }),
  verifyEmail: (flow: string, code: string) =>
    request<SignInResult>('POST', '/sign-in/verify-email', { flow, code }),
  /** Same channel (or none): a new code after the cooldown; another channel: switch to it. */
  resendCode: (flow: string, channel?: CodeChannel) =>
    request<ContinueAnswer>('POST', '/sign-in/resend-code', channel ? { flow, channel } : { flow }),
  verifyCode: (flow: string, code: string) =>
    request<SignInResult>('POST', '/sign-in/verify-code', { flow, code }),
  submitPhone: (flow: string, phone: string, channel: PhoneChannel) =>
    request<ContinueAnswer>('POST', '/sign-in/phone', { flow, phone, channel }),
  /** "Skip for Now": the phone offered (seed 000), or the policy's minimum before its date. */
  skipPhone: (flow: string) => request<SignInResult>('POST', '/sign-in/skip', { flow }),
  /** A way to meet the policy's minimum (an index into `minimum.ways`); again: a fresh start. */
  chooseMinimum: (flow: string, choice: number) =>
    request<SignInResult>('POST', '/sign-in/minimum', { flow, choice }),
  /** In enrol_totp: a code from the new app confirms it. */
  confirmSignInTotp: (flow: string, code: string) =>
    request<SignInResult>('POST', '/sign-in/totp', { flow, code }),
  /** In enrol_passkey: the new passkey's answer to the flow's (single-use) ceremony. */
  registerSignInPasskey: (flow: string, name: string, credential: PasskeyAttestation) =>
    request<SignInResult>('POST', '/sign-in/passkey-registration', { flow, name, credential }),
  /** In the second-factor step: a passkey (a new ceremony), the app or the recovery code instead. */
  chooseMethod: (flow: string, method: 'passkey' | 'totp' | 'recovery_code') =>
    request<ContinueAnswer>('POST', '/sign-in/method', { flow, method }),
  /** In the second-factor step: the passkey's answer to the flow's ceremony. */
  verifySignInPasskey: (flow: string, credential: PasskeyAssertion) =>
    request<SignInResult>('POST', '/sign-in/verify-passkey', { flow, credential }),
  /** "Sign in with a passkey" (or autofill): a ceremony any of the user's passkeys may answer. */
  passkeySignInOptions: () => request<PasskeySignInStart>('POST', '/sign-in/passkey/options'),
  signInWithPasskey: (flow: string, credential: PasskeyAssertion) =>
    request<SignInResult>('POST', '/sign-in/passkey', { flow, credential }),
  startPasskey: () => request<{ registration: PasskeyRegistration }>('POST', '/passkeys/start'),
  finishPasskey: (flow: string, name: string, credential: PasskeyAttestation) =>
    request<{ passkey: PasskeyInfo }>('POST', '/passkeys/finish', { flow, name, credential }),
  renamePasskey: (id: string, name: string) =>
    request<{ passkey: PasskeyInfo }>('PATCH', `/passkeys/${encodeURIComponent(id)}`, { name }),
  removePasskey: (id: string) => request<void>('DELETE', `/passkeys/${encodeURIComponent(id)}`),
  verifyStepUpPasskey: (flow: string, credential: PasskeyAssertion) =>
    request<{ validUntil: string }>('POST', '/step-up/verify-passkey', { flow, credential }),
  /** In the save-recovery-code step: the user saved the code shown; sign-in goes on. */
  signInRecoveryCodeSaved: (flow: string) =>
    request<SignInResult>('POST', '/sign-in/recovery-code-saved', { flow }),
  /** "Forgot your password?": the same answer whether or not the address has an account. */
  startReset: (email: string, method: ResetMethod) =>
    request<ResetContinue>('POST', '/password-reset', { email, method }),
  resetStep: (flow: string) => request<ResetContinue>('POST', '/password-reset/flow', { flow }),
  resetVerifyCode: (flow: string, code: string) =>
    request<ResetContinue>('POST', '/password-reset/verify-code', { flow, code }),
  resetRecoveryCode: (flow: string, code: string) =>
    request<ResetContinue>('POST', '/password-reset/recovery-code', { flow, code }),
  resetSecondFactor: (flow: string, factor: ResetSecondFactor) =>
    request<ResetContinue>('POST', '/password-reset/second-factor', { flow, factor }),
  /** In the reset's second-factor step: the passkey's answer to the flow's ceremony. */
  resetVerifyPasskey: (flow: string, credential: PasskeyAssertion) =>
    request<ResetContinue>('POST', '/password-reset/verify-passkey', { flow, credential }),
  resetResendCode: (flow: string) =>
    request<ResetContinue>('POST', '/password-reset/resend-code', { flow }),
  resetPassword: (flow: string, password: string, endSessions: boolean) =>
    request<ResetAnswer>('POST', '/password-reset/password', { flow, password, endSessions }),
  resetRecoveryCodeSaved: (flow: string) =>
    request<ResetAnswer>('POST', '/password-reset/recovery-code-saved', { flow }),
  /** Change the password (after a step-up); optionally sign out the other devices. */
  changePassword: (currentPassword: string, newPassword: string, endOtherSessions: boolean) =>
    request<{ sessionsEnded: number }>('POST', '/account/password', {
      currentPassword,
      newPassword,
      endOtherSessions,
    }),
  /** Change the email (after a step-up): a code goes to the new address. */
  startEmailChange: (newEmail: string) =>
    request<{ flow: EmailChangeFlow }>('POST', '/account/email', { newEmail }),
  resendEmailChange: (flow: string) =>
    request<{ flow: EmailChangeFlow }>('POST', '/account/email/resend', { flow }),
  confirmEmailChange: (flow: string, code: string) =>
    request<{ email: { address: string; verified: boolean } }>('POST', '/account/email/confirm', {
      flow,
      code,
    }),
  accountActivity: () => request<{ events: ActivityEvent[] }>('GET', '/account/activity'),
  session: () => request<SessionAnswer>('GET', '/session'),
  signOut: () => request<void>('POST', '/sign-out'),
  sessions: () => request<{ sessions: SessionSummary[] }>('GET', '/sessions'),
  endSession: (id: string) => request<void>('DELETE', `/sessions/${encodeURIComponent(id)}`),
  endOtherSessions: () => request<{ ended: number }>('POST', '/sessions/end-others'),
  accountSecurity: () => request<AccountSecurity>('GET', '/account/security'),
  startStepUp: (channel: StepUpMethod) =>
    request<{ flow: StepUpFlow }>('POST', '/step-up/start', { channel }),
  /** Same method (or none): a new code after the cooldown; another method: switch to it. */
  resendStepUp: (flow: string, channel?: StepUpMethod) =>
    request<{ flow: StepUpFlow }>(
      'POST',
      '/step-up/resend',
      channel ? { flow, channel } : { flow },
    ),
  verifyStepUp: (flow: string, code: string) =>
    request<{ validUntil: string }>('POST', '/step-up/verify', { flow, code }),
  startPhone: (phone: string, channel: PhoneChannel) =>
    request<{ flow: CodeFlow }>('POST', '/phone/start', { phone, channel }),
  resendPhone: (flow: string, channel?: CodeChannel) =>
    request<{ flow: CodeFlow }>('POST', '/phone/resend', channel ? { flow, channel } : { flow }),
  confirmPhone: (flow: string, code: string) =>
    request<{ phone: PhoneInfo }>('POST', '/phone/confirm', { flow, code }),
  removePhone: () => request<void>('DELETE', '/phone'),
  startTotp: () => request<{ enrolment: TotpEnrolment }>('POST', '/totp/start'),
  confirmTotp: (flow: string, code: string) =>
    request<{ totp: TotpInfo }>('POST', '/totp/confirm', { flow, code }),
  removeTotp: () => request<void>('DELETE', '/totp'),
  /** "Get a new code": the old recovery code stops working at once. */
  newRecoveryCode: () => request<{ recoveryCode: RecoveryCodeShown }>('POST', '/recovery-code'),
  recoveryCodeSaved: () => request<void>('POST', '/recovery-code/saved'),
  outbox: (to: string) =>
    request<{ messages: OutboxMessage[] }>(
      'GET',
      `/dev/outbox${to ? `?${new URLSearchParams({ to })}` : ''}`,
    ),
};
