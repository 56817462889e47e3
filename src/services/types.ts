/**
 * What the wiring hands out. `RouteServices` is what a route receives: services only, never the
 * store or a table's repo. `Services` adds the pieces the CLI, the HTTP plugins and the tests
 * reach for (keys, repos, the store itself).
 */
import type { ActivityEntry } from '../accounts/activity.js';
import type { AccountService } from '../accounts/accounts.js';
import type { EmailReverifyService } from '../accounts/email-reverify.js';
import type { EmailChangeService } from '../accounts/email-change.js';
import type { ChangePassword } from '../accounts/password-change.js';
import type { AccountRepo } from '../accounts/repo.js';
import type { Throttle } from '../accounts/throttle.js';
import type { AuditLog } from '../audit/audit.js';
import type { AuditConsole } from '../audit/console.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { OutboxEntry } from '../delivery/dev-outbox.js';
import type { Outbox, OutboxEvents } from '../delivery/outbox.js';
import type { Delivery, Sender } from '../delivery/sender.js';
import type { AccountFactors } from '../factors/account-factors.js';
import type { Challenges } from '../factors/otp-code/challenge.js';
import type { CodeService } from '../factors/otp-code/codes.js';
import type { PasskeyRepo } from '../factors/passkey/repo.js';
import type { PasskeyService } from '../factors/passkey/service.js';
import type { Argon2Params, PasswordHasher } from '../factors/password/hashing.js';
import type { PhoneRepo } from '../factors/phone/repo.js';
import type { PhoneService } from '../factors/phone/service.js';
import type { RecoveryCodeService } from '../factors/recovery/service.js';
import type { TotpRepo } from '../factors/totp/repo.js';
import type { TotpService } from '../factors/totp/service.js';
import type { PasswordResetService } from '../flows/password-reset/service.js';
import type { SignInOutcome, SignInService } from '../flows/sign-in/service.js';
import type { StepUpService } from '../flows/step-up/service.js';
import type { PolicyAdmin } from '../policy/admin.js';
import type { AdminUsers } from './admin.js';
import type { FactorKind, Policy } from '../policy/presets.js';
import type { PolicySource } from '../policy/source.js';
import type { SessionService } from '../sessions/sessions.js';
import type { ClientRegistry } from '../oidc/clients.js';
import type { OwnSessions } from '../sessions/own-sessions.js';
import type { SessionEndings } from '../sessions/endings.js';
import type { CounterStore } from '../store/counters.js';
import type { Store } from '../store/dialect.js';
import type { Account, Phone } from '../store/schema.js';
import type { Redis } from 'ioredis';

export interface Logger {
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ServiceOptions {
  argon2?: Argon2Params;
  onSignInOutcome?: (outcome: SignInOutcome) => void;
  /** Extra or replacement senders (tests). */
  senders?: Sender[];
  log?: Logger;
  /** Sent and failed messages, for the metrics. */
  outboxEvents?: OutboxEvents;
}

/** Something `/readyz` must reach. */
export interface Dependency {
  name: 'database' | 'redis';
  ping(): Promise<unknown>;
}

/** What the routes receive. */
export interface RouteServices {
  config: Config;
  clock: Clock;
  /** The policy per account (deployment's, tightened by an organisation's). */
  policies: PolicySource;
  /** The admin API's changes to the deployment policy and to organisations. */
  policyAdmin: PolicyAdmin;
  /** The admin console's users: search, detail, and the actions on them. */
  adminUsers: AdminUsers;
  audit: AuditLog;
  /** The audit log read back: searched a page at a time, or exported (the admin console). */
  auditConsole: AuditConsole;
  /** The OpenID Connect relying parties an administrator registered. */
  oidcClients: ClientRegistry;
  sessions: SessionService;
  /** Sessions ended before their time, told once committed (back-channel logout). */
  sessionEndings: SessionEndings;
  /** A user ending their own sessions, each with its audit event. */
  ownSessions: OwnSessions;
  accounts: AccountService;
  signIn: SignInService;
  stepUp: StepUpService;
  phone: PhoneService;
  totp: TotpService;
  passkey: PasskeyService;
  recovery: RecoveryCodeService;
  passwordReset: PasswordResetService;
  changePassword: ChangePassword;
  /** Changing the account's email: a code to the new address (issue 6). */
  changeEmail: EmailChangeService;
  /** "Verify Email Address": a code to the account's own address (seed 000). */
  verifyEmail: EmailReverifyService;
  /** Every message sent, durably (S32); after the answer unless a page waits for it (S6). */
  outbox: Outbox;
  /** Which factors an account holds, and which of them it may remove now (its policy's say). */
  factors: {
    of(accountId: string): Promise<AccountFactors>;
    removable(account: Account): Promise<(factor: FactorKind) => boolean>;
    /** The account's phone, as saved. */
    phone(accountId: string): Promise<Phone | undefined>;
  };
  /** The account's recent security events, in plain words (the Activity tab). */
  activity(accountId: string): Promise<ActivityEntry[]>;
  /** What `/readyz` checks, in order: the database, then Redis where it is set. */
  dependencies: Dependency[];
  /** Whether the development outbox is on (never in production). */
  devOutbox: boolean;
  /** What the development outbox holds, newest first (only when it is on). */
  devMessages(filter: { to?: string; limit: number }): Promise<OutboxEntry[]>;
}

export interface Services extends RouteServices {
  policy: Policy;
  store: Store;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  box: SecretBox;
  delivery: Delivery;
  codes: CodeService;
  challenges: Challenges;
  throttle: Throttle;
  /** The `accounts` table. */
  accountRepo: AccountRepo;
  phones: PhoneRepo;
  totps: TotpRepo;
  passkeys: PasskeyRepo;
  /** Counters shared by every process: send limits, reset limits, per-IP limits. */
  counters: CounterStore;
  /** The Redis connection, where `REDIS_URL` is set. */
  redis: Redis | undefined;
  close(): Promise<void>;
}
