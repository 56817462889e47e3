// Names for the shapes of the Portcullis JSON API (docs/api.md) that these pages use, each taken
// from a route's schema in the generated api-schema.d.ts (`npm run api:types`): none is written
// by hand, so a change to the API that a page does not follow fails the type-check.
import type { Answer, Body } from './api-client';

export type PortalConfig = Answer<'/api/v1/config', 'get'>;
/**
 * `policy` in the configuration (the preset: email-first, strong-mfa or sms-required) and on the
 * security page (the policy's name, which a policy document may choose): a string either way.
 */
export type PolicyName = PortalConfig['policy'];

export type MessageAnswer = Answer<'/api/v1/sign-up', 'post'>;

export type SessionAnswer = Answer<'/api/v1/session', 'get'>;
export type User = SessionAnswer['user'];
export type Session = SessionAnswer['session'];
export type AuthMethod = Session['amr'][number];

export type SignInResult = Answer<'/api/v1/sign-in', 'post'>;
export type ContinueAnswer = Extract<SignInResult, { status: 'continue' }>;
export type RestartAnswer = Extract<SignInResult, { status: 'restart' }>;
/** A sign-in in progress. `flow` is the opaque flow token: a secret, kept out of URLs. */
export type SignInFlow = ContinueAnswer['flow'];
export type SignInStep = SignInFlow['step'];
export type CodeChannel = SignInFlow['channels'][number];
export type CodeChallenge = NonNullable<SignInFlow['code']>;
/** What the user does in the second-factor step, and the other ways through it. */
export type SecondFactor = NonNullable<SignInFlow['secondFactor']>;
export type SecondFactorMethod = SecondFactor['method'];
/** The policy's minimum, in the steps that meet it (choose_mfa and the enrol steps). */
export type MinimumView = NonNullable<SignInFlow['minimum']>;
/** One way to meet the policy's minimum (seed 001: a passkey; the app + a phone; password + phone). */
export type MinimumWay = MinimumView['ways'][number];
/** A factor a policy can name (`password` is what every account starts with). */
export type FactorKind = MinimumWay['factors'][number];
/** A new authenticator app's key: shown once, as a QR code and as text. */
export type TotpKey = NonNullable<SignInFlow['totp']>;

/** A passkey ceremony: its options, and when its challenge expires. */
export type PasskeyRequest = NonNullable<SignInFlow['passkey']>;
/** PublicKeyCredentialRequestOptionsJSON: what navigator.credentials.get needs. */
export type PasskeyRequestOptions = PasskeyRequest['options'];
/** "Sign in with a passkey": the ceremony and the token that binds its answer to it. */
export type PasskeySignInStart = Answer<'/api/v1/sign-in/passkey/options', 'post'>;
/** Adding a passkey: the registration ceremony. */
export type PasskeyRegistration = Answer<'/api/v1/passkeys/start', 'post'>['registration'];
/** PublicKeyCredentialCreationOptionsJSON: what navigator.credentials.create needs. */
export type PasskeyCreationOptions = PasskeyRegistration['options'];
/** A passkey as its owner sees it. */
export type PasskeyInfo = Answer<'/api/v1/passkeys/finish', 'post'>['passkey'];

/** A recovery code as shown once to its owner: the digits in groups of four. */
export type RecoveryCodeShown = Answer<'/api/v1/recovery-code', 'post'>['recoveryCode'];

/** A code sent outside sign-in: a new phone number being confirmed. */
export type CodeFlow = Answer<'/api/v1/phone/start', 'post'>['flow'];
/** `sms` ("Text me") or `voice` ("Call me"). */
export type PhoneChannel = Body<'/api/v1/phone/start', 'post'>['channel'];
export type PhoneInfo = Answer<'/api/v1/phone/confirm', 'post'>['phone'];
/** A new email address being confirmed by a code sent to it (after a step-up). */
export type EmailChangeFlow = Answer<'/api/v1/account/email', 'post'>['flow'];
export type EmailVerifyFlow = Answer<'/api/v1/account/email/verify', 'post'>['flow'];

/** A step-up in progress. With the app nothing is sent: `destination` and `code` are null. */
export type StepUpFlow = Answer<'/api/v1/step-up/start', 'post'>['flow'];
/** A way to verify your identity again: a passkey, the authenticator app, or a sent code. */
export type StepUpMethod = StepUpFlow['method'];

export type AccountSecurity = Answer<'/api/v1/account/security', 'get'>;
export type TotpInfo = Answer<'/api/v1/totp/confirm', 'post'>['totp'];
/** The live recovery code, never the code itself. */
export type RecoveryCodeInfo = NonNullable<AccountSecurity['recoveryCode']>;
/** A new authenticator app being set up: shown once, saved only when a code confirms it. */
export type TotpEnrolment = Answer<'/api/v1/totp/start', 'post'>['enrolment'];

export type Invitation = Answer<'/api/v1/invitations/lookup', 'post'>;
export type SessionSummary = Answer<'/api/v1/sessions', 'get'>['sessions'][number];
/** One entry of the account's recent security activity. */
export type ActivityEvent = Answer<'/api/v1/account/activity', 'get'>['events'][number];
export type OutboxMessage = Answer<'/api/v1/dev/outbox', 'get'>['messages'][number];

/** A password reset in progress (POST /api/v1/password-reset and the steps after it). */
export type ResetContinue = Answer<'/api/v1/password-reset', 'post'>;
export type ResetFlow = ResetContinue['flow'];
export type ResetStep = ResetFlow['step'];
export type ResetMethod = Body<'/api/v1/password-reset', 'post'>['method'];
export type ResetSecondFactor = Body<'/api/v1/password-reset/second-factor', 'post'>['factor'];
export type ResetAnswer = Answer<'/api/v1/password-reset/password', 'post'>;
