/**
 * Policy presets: one engine, three seed portals, selected by PORTCULLIS_POLICY. Presets are
 * data. This is the part of the policy that sign-in and phone enrolment read today; the policy
 * engine (enforcement dates, minimums, recovery codes, organisations) grows from here.
 */
import type { PolicyName } from '../config/load.js';

export type { PolicyName };

/** Every factor a policy can name. `password` is what every account starts with. */
export type FactorKind = 'password' | 'phone' | 'totp' | 'passkey' | 'recovery_code';

/**
 * What happens while the minimum is not met: `block` — sign-in stops until it is met; `remind` —
 * asked at every sign-in, with "Skip for Now"; `offer` — asked until skipped once; `none` — not
 * asked.
 */
export type GraceMode = 'block' | 'remind' | 'offer' | 'none';

export interface Policy {
  name: string;
  /** The preset this policy starts from (its wording on the pages: seed 002 says "Log in"). */
  preset: PolicyName;
  /** The factors users may enrol and use. */
  factors: FactorKind[];
  /**
   * The minimum every user must hold: alternatives, each a set of factors (seed 001: `passkey`
   * OR `totp`+`phone` OR `password`+`phone`). Empty: no minimum.
   */
  minimum: FactorKind[][];
  /**
   * When the minimum binds: `date` (ISO 8601; null = it has no date and `after` applies now), the
   * grace behaviour `before` that date and `after` it.
   */
  enforcement: { date: string | null; before: GraceMode; after: GraceMode };
  /** When sign-in asks for a second factor: never, when the user has one, or always. */
  mfaAtSignIn: 'never' | 'when_enrolled' | 'always';
  /** Whether a code sent to the email may replace the phone code at sign-in (never AAL2, S9). */
  emailCodeFallback: boolean;
  /** Seed 002: "You are returned to the login screen to log in again" after registering the phone. */
  signInAgainAfterPhoneEnrolment: boolean;
  /** Whether an email code may vouch for a change (step-up) — seed 000: "verify your identity via email". */
  emailStepUp: boolean;
  /** Digits in every one-time code. */
  codeLength: number;
  /** How long a step-up lasts (default 5 minutes). */
  stepUpWindowMs: number;
  /**
   * Recovery code: whether every user must save one (asked at sign-in until saved), and its
   * length in digits (20 by default, ≥ 64 bits; seed 001's 16 digits fall short of NIST SP
   * 800-63B-4's 64-bit minimum and the server says so at start).
   */
  recoveryCode: { required: boolean; digits: number };
  /**
   * How long a sent code is valid, in seconds, by email and by phone (text or call); null: the
   * deployment's setting (EMAIL_CODE_VALIDITY_SECONDS, SMS_CODE_VALIDITY_SECONDS), which is also
   * the longest a policy may give (a policy shortens, never lengthens).
   */
  codeValiditySeconds: { email: number | null; phone: number | null };
  /**
   * Session limits: idle minutes and absolute hours; null: the deployment's setting
   * (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS), also the longest a policy may give.
   */
  sessionLimits: { idleMinutes: number | null; absoluteHours: number | null };
  /**
   * How a signed-out user who forgot the password proves who they are before setting a new
   * one; each entry is one way, offered in this order. `email`: a code sent to the account's
   * email (seed 000: "you will only have the option to verify your identity through email").
   * `recovery_code`: the recovery code and then a code from the authenticator app or the phone
   * (seed 001: email is no longer a recovery method). Never a session: the next sign-in asks
   * for everything the policy asks (S22).
   */
  passwordReset: PasswordResetMethod[];
  /**
   * An administrator turning multi-factor authentication off for a user for a while (seed 002:
   * "they can disable MFA temporarily"): whether it may be done, and for at most how many hours.
   */
  mfaExemption: { allowed: boolean; maxHours: number };
  /** Whether an administrator may enter a user's new phone number (confirmed by its owner's code). */
  adminPhoneUpdate: boolean;
  /**
   * The factors an administrator may remove for a user, who adds one again at the next sign-in
   * (seed 001: "If you lose your recovery code, a new … account will be required": not that one).
   */
  adminFactorReset: FactorKind[];
}

export type PasswordResetMethod = 'email' | 'recovery_code';

/** Fewest decimal digits that carry NIST SP 800-63B-4's 64 bits (20 × log2 10 ≈ 66.4). */
export const RECOVERY_CODE_NIST_DIGITS = Math.ceil(64 / Math.log2(10));

const FIVE_MINUTES = 5 * 60_000;
const ALL_FACTORS: FactorKind[] = ['password', 'phone', 'totp', 'passkey', 'recovery_code'];

export const presets: Record<PolicyName, Policy> = {
  // Seed 000: email verified at first sign-in; a phone is offered ("Skip for Now") and then
  // serves, like the email, to verify changes of email, phone and password.
  'email-first': {
    name: 'email-first',
    preset: 'email-first',
    factors: ALL_FACTORS,
    // "you will then have the option to enter a mobile number … or you can skip this step".
    minimum: [['password', 'phone']],
    enforcement: { date: null, before: 'offer', after: 'offer' },
    mfaAtSignIn: 'never',
    emailCodeFallback: true,
    signInAgainAfterPhoneEnrolment: false,
    emailStepUp: true,
    codeLength: 6,
    stepUpWindowMs: FIVE_MINUTES,
    recoveryCode: { required: false, digits: 20 },
    // "Codes will be valid for 60 seconds."
    codeValiditySeconds: { email: null, phone: 60 },
    sessionLimits: { idleMinutes: null, absoluteHours: null },
    passwordReset: ['email'],
    mfaExemption: { allowed: true, maxHours: 72 },
    adminPhoneUpdate: true,
    adminFactorReset: ['phone', 'totp', 'passkey', 'recovery_code'],
  },
  // Seed 001: email stops being a sign-in or recovery method; the enforcement date and the
  // minimum (passkey, or authenticator + phone, or password + phone) arrive with the policy engine.
  'strong-mfa': {
    name: 'strong-mfa',
    preset: 'strong-mfa',
    factors: ALL_FACTORS,
    // "you're required to have 1 of the following verified on your account".
    minimum: [['passkey'], ['totp', 'phone'], ['password', 'phone']],
    // "Starting March 7, 2025 … If you do not complete setting up the minimum multi-factor
    // authentication methods, you will be unable to log into the Provider Portal."
    enforcement: { date: '2025-03-07T00:00:00.000Z', before: 'remind', after: 'block' },
    mfaAtSignIn: 'when_enrolled',
    emailCodeFallback: false,
    signInAgainAfterPhoneEnrolment: false,
    emailStepUp: false,
    codeLength: 6,
    stepUpWindowMs: FIVE_MINUTES,
    // "All users will be required to download a recovery code" — "a unique and secure 16-digit code".
    recoveryCode: { required: true, digits: 16 },
    codeValiditySeconds: { email: null, phone: null },
    sessionLimits: { idleMinutes: null, absoluteHours: null },
    // "You can no longer use email as a recovery method": the recovery code and a second factor.
    passwordReset: ['recovery_code'],
    // Seed 001 has no help desk that lowers protection: no exemption, no restored recovery code.
    mfaExemption: { allowed: false, maxHours: 24 },
    adminPhoneUpdate: true,
    adminFactorReset: ['phone', 'totp', 'passkey'],
  },
  // Seed 002: every sign-in needs a six-digit SMS code; the phone is registered at the first
  // sign-in, then the user signs in again; "Send code to email" is the fallback.
  'sms-required': {
    name: 'sms-required',
    preset: 'sms-required',
    factors: ALL_FACTORS,
    minimum: [['password', 'phone']],
    enforcement: { date: null, before: 'block', after: 'block' },
    mfaAtSignIn: 'always',
    emailCodeFallback: true,
    signInAgainAfterPhoneEnrolment: true,
    emailStepUp: true,
    codeLength: 6,
    stepUpWindowMs: FIVE_MINUTES,
    recoveryCode: { required: false, digits: 20 },
    codeValiditySeconds: { email: null, phone: null },
    sessionLimits: { idleMinutes: null, absoluteHours: null },
    // Every sign-in still needs the SMS code, so an emailed reset code cannot reach the portal alone.
    passwordReset: ['email', 'recovery_code'],
    // "Contact your system administrator — they can disable MFA temporarily or update your phone number."
    mfaExemption: { allowed: true, maxHours: 72 },
    adminPhoneUpdate: true,
    adminFactorReset: ['phone', 'totp', 'passkey', 'recovery_code'],
  },
};
