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
  | 'verify_email'
  | 'second_factor'
  | 'choose_mfa'
  | 'enrol_phone'
  | 'confirm_phone'
  | 'enrol_totp'
  | 'enrol_passkey'
  | 'save_recovery_code';

/** A factor a policy can name (`password` is what every account starts with). */
export type FactorKind = 'password' | 'phone' | 'totp' | 'passkey' | 'recovery_code';

/** One way to meet the policy's minimum (seed 001: a passkey; the app + a phone; password + phone). */
export interface MinimumWay {
  factors: FactorKind[];
  /** What the account still lacks of it. */
  missing: FactorKind[];
  /** Whether sign-in can add what it lacks (a password cannot be added there). */
  available: boolean;
}

/** The policy's minimum, in the steps that meet it (choose_mfa and the enrol steps). */
export interface MinimumView {
  ways: MinimumWay[];
  /** The way chosen in this sign-in (an index into `ways`). */
  chosen: number | null;
  /** When the minimum binds; null: it has no date. */
  deadline: string | null;
  /** Sign-in cannot go on until it is met: no "Skip for Now". */
  enforced: boolean;
}

/**
 * What the user does in the second-factor step: uses a passkey, or enters a sent code, an app
 * code or the recovery code.
 */
export type SecondFactorMethod = 'passkey' | 'code' | 'totp' | 'recovery_code';

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
  /** In second_factor with a passkey: the ceremony to answer. */
  passkey: PasskeyRequest | null;
  /** In the steps that meet the policy's minimum: its ways, the date, whether it blocks. */
  minimum: MinimumView | null;
  /** In enrol_totp: the new key for the app, until a code from it confirms it. */
  totp: TotpKey | null;
  /** In enrol_passkey: the registration ceremony to answer. */
  passkeyRegistration: { options: PasskeyCreationOptions; expiresAt: string } | null;
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

/** A new email address being confirmed by a code sent to it (after a step-up). */
export interface EmailChangeFlow {
  flow: string;
  /** The new address, masked. */
  destination: string;
  code: CodeChallenge | null;
}

/** A way to verify your identity again: a passkey, a code from the authenticator app, or a sent code. */
export type StepUpMethod = 'passkey' | 'totp' | CodeChannel;

/** A step-up in progress. With the app nothing is sent: `destination` and `code` are null. */
export interface StepUpFlow {
  flow: string;
  method: StepUpMethod;
  destination: string | null;
  /** Every method the user may switch to, the strongest first. */
  channels: StepUpMethod[];
  code: CodeChallenge | null;
  /** With a passkey: the ceremony to answer. */
  passkey: PasskeyRequest | null;
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
  /** The passkeys, oldest first. */
  passkeys: PasskeyInfo[];
  recoveryCode: RecoveryCodeInfo | null;
  /** Whether the policy requires every user to keep a saved recovery code. */
  recoveryCodeRequired: boolean;
  stepUp: { validUntil: string | null; methods: StepUpMethod[] };
  phoneRemovable: boolean;
  totpRemovable: boolean;
}

/** A new authenticator app's key: shown once, as a QR code and as text. */
export interface TotpKey {
  /** The key for typing into the app (base32, in groups of four). */
  key: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code, an SVG document. */
  qrSvg: string;
}

/** A new authenticator app being set up: shown once, saved only when a code confirms it. */
export interface TotpEnrolment extends TotpKey {
  flow: string;
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
export type ResetSecondFactor = 'passkey' | 'totp' | 'sms' | 'voice';
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
  /** In second_factor with a passkey: the ceremony to answer. */
  passkey: PasskeyRequest | null;
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

/** PublicKeyCredentialRequestOptionsJSON: what navigator.credentials.get needs. */
export interface PasskeyRequestOptions {
  challenge: string;
  rpId: string;
  timeout: number;
  userVerification: 'required' | 'preferred';
  allowCredentials?: { id: string; type: 'public-key'; transports?: string[] }[];
}

/** PublicKeyCredentialCreationOptionsJSON: what navigator.credentials.create needs. */
export interface PasskeyCreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  timeout: number;
  attestation: 'none';
  excludeCredentials: { id: string; type: 'public-key'; transports?: string[] }[];
  authenticatorSelection: {
    residentKey: 'required';
    requireResidentKey: boolean;
    userVerification: 'required';
  };
  extensions: { credProps: boolean };
  hints: string[];
}

/** A passkey ceremony: its options, and when its challenge expires. */
export interface PasskeyRequest {
  options: PasskeyRequestOptions;
  expiresAt: string;
}

/** "Sign in with a passkey": the ceremony and the token that binds its answer to it. */
export interface PasskeySignInStart extends PasskeyRequest {
  flow: string;
}

/** Adding a passkey: the registration ceremony. */
export interface PasskeyRegistration {
  flow: string;
  options: PasskeyCreationOptions;
  expiresAt: string;
}

/** A passkey as its owner sees it. */
export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Backed up by its provider, so it works on the user's other devices. */
  synced: boolean;
  /** Lives on one device or security key only. */
  deviceBound: boolean;
  /** Its counter went backwards (it may have been copied): refused until removed. */
  flagged: boolean;
  removable: boolean;
}
