// Shapes of the Portcullis JSON API (docs/api.md). Only the fields these pages read.

export interface PortalConfig {
  portalName: string;
  policy: PolicyName;
  selfSignUp: boolean;
  /** How a forgotten password may be reset, in the order offered. */
  passwordReset: ResetMethod[];
  passwordMinLength: number;
  passwordMaxLength: number;
  devOutbox: boolean;
}

export interface MessageAnswer {
  message: string;
}

export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  role: string;
  state: string;
  createdAt: string;
}

export interface AuthMethod {
  method: string;
  at: string;
}

export interface Session {
  id: string;
  aal: string;
  amr: AuthMethod[];
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  expiresAt: string;
}

export interface SessionAnswer {
  user: User;
  session: Session;
}

export type CodeChannel = 'email' | 'sms' | 'voice';

export interface CodeChallenge {
  channel: CodeChannel;
  length: number;
  validForSeconds: number;
  issuedAt: string;
  expiresAt: string;
  resendAvailableAt: string;
  attemptsLeft: number;
}

export type SignInStep =
  'verify_email' | 'second_factor' | 'enrol_phone' | 'confirm_phone' | 'save_recovery_code';

/** What the user enters in the second-factor step: a sent code, an app code, the recovery code. */
export type SecondFactorMethod = 'code' | 'totp' | 'recovery_code';

export interface SecondFactor {
  method: SecondFactorMethod;
  /** The other ways through this step besides the code channels (`channels`). */
  alternatives: Exclude<SecondFactorMethod, 'code'>[];
}

/** A recovery code as shown once to its owner: the digits in groups of four. */
export interface RecoveryCodeShown {
  code: string;
  digits: number;
  createdAt: string;
}

export interface SignInFlow {
  /** The opaque flow token: a secret, kept out of URLs. */
  flow: string;
  step: SignInStep;
  expiresAt: string;
  /** The server's clock when it answered, to map its times onto this device's clock. */
  serverTime?: string;
  /** Masked email address or phone number the pending code went to. */
  destination: string | null;
  /** Channels the user may ask for in this step, the current one first. */
  channels: CodeChannel[];
  /** Whether "Skip for Now" is offered (a phone offered, not required). */
  skippable: boolean;
  /** The country assumed for a phone number typed without a country code. */
  phoneDefaultCountry: string | null;
  code: CodeChallenge | null;
  /** In second_factor: what is being entered now (`code`: a code sent over `channels[0]`). */
  secondFactor: SecondFactor | null;
  /** In save_recovery_code: the new code, to save before going on. */
  recoveryCode: RecoveryCodeShown | null;
}

export interface ContinueAnswer {
  status: 'continue';
  flow: SignInFlow;
}

export interface RestartAnswer {
  status: 'restart';
  message: string;
}

export type SignInResult =
  ContinueAnswer | RestartAnswer | { status: 'signed_in'; user: User; session: Session };

/** A code sent outside sign-in: a new phone number being confirmed. */
export interface CodeFlow {
  flow: string;
  destination: string;
  channels: CodeChannel[];
  code: CodeChallenge | null;
}

/** A way to verify your identity again: a code from the authenticator app, or a sent code. */
export type StepUpMethod = 'totp' | CodeChannel;

/** A step-up in progress. With the app nothing is sent: `destination` and `code` are null. */
export interface StepUpFlow {
  flow: string;
  method: StepUpMethod;
  destination: string | null;
  /** Every method the user may switch to, the strongest first. */
  channels: StepUpMethod[];
  code: CodeChallenge | null;
}

export type PolicyName = 'email-first' | 'strong-mfa' | 'sms-required';

export interface PhoneInfo {
  /** Masked, like "•••• ••• 456". */
  number: string;
  kind: 'mobile' | 'landline';
  channels: ('sms' | 'voice')[];
  verifiedAt: string | null;
  lastUsedAt: string | null;
}

export interface TotpInfo {
  addedAt: string;
  lastUsedAt: string | null;
}

/** The live recovery code, never the code itself. */
export interface RecoveryCodeInfo {
  createdAt: string;
  savedAt: string | null;
  digits: number;
}

export interface AccountSecurity {
  policy: PolicyName;
  email: { address: string; verified: boolean };
  phone: PhoneInfo | null;
  totp: TotpInfo | null;
  recoveryCode: RecoveryCodeInfo | null;
  /** Whether the policy requires every user to keep a saved recovery code. */
  recoveryCodeRequired: boolean;
  stepUp: { validUntil: string | null; methods: StepUpMethod[] };
  phoneRemovable: boolean;
  totpRemovable: boolean;
}

/** A new authenticator app being set up: shown once, saved only when a code confirms it. */
export interface TotpEnrolment {
  flow: string;
  /** The key for typing into the app (base32, in groups of four). */
  key: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code, an SVG document. */
  qrSvg: string;
  expiresAt: string;
}

export interface Invitation {
  email: string;
  expiresAt: string;
}

export interface SessionSummary {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  aal: string;
}

export interface OutboxMessage {
  id: string;
  channel: string;
  to: string;
  subject: string | null;
  text: string;
  createdAt: string;
}

export type ResetMethod = 'email' | 'recovery_code';
export type ResetSecondFactor = 'totp' | 'sms' | 'voice';
export type ResetStep =
  'email_code' | 'recovery_code' | 'second_factor' | 'new_password' | 'save_recovery_code';

/** A password reset in progress (POST /api/v1/password-reset and the steps after it). */
export interface ResetFlow {
  flow: string;
  step: ResetStep;
  method: ResetMethod;
  /** The address as the user typed it. */
  email: string;
  expiresAt: string;
  serverTime: string;
  destination: string | null;
  code: CodeChallenge | null;
  secondFactor: { current: ResetSecondFactor; choices: ResetSecondFactor[] } | null;
  recoveryCode: RecoveryCodeShown | null;
}

export interface ResetContinue {
  status: 'continue';
  flow: ResetFlow;
}

export type ResetAnswer = ResetContinue | { status: 'completed'; message: string };

/** One entry of the account's recent security activity. */
export interface ActivityEvent {
  action: string;
  description: string;
  at: string;
  ip: string | null;
  userAgent: string | null;
  methods: string | null;
}
