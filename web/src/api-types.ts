// Shapes of the Portcullis JSON API (docs/api.md). Only the fields these pages read.

export interface PortalConfig {
  portalName: string;
  selfSignUp: boolean;
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

export type SignInStep = 'verify_email' | 'second_factor' | 'enrol_phone' | 'confirm_phone';

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

/** A code sent outside sign-in: a step-up, or a new phone number being confirmed. */
export interface CodeFlow {
  flow: string;
  destination: string;
  channels: CodeChannel[];
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

export interface AccountSecurity {
  policy: PolicyName;
  email: { address: string; verified: boolean };
  phone: PhoneInfo | null;
  stepUp: { validUntil: string | null; methods: CodeChannel[] };
  phoneRemovable: boolean;
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
