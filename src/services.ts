/**
 * Wires the services together from configuration, a store and a clock. Nothing here touches
 * HTTP; routes receive the finished `Services`.
 */
import { createAccountService, type AccountService } from './accounts/accounts.js';
import { createAccountRepo, type AccountRepo } from './accounts/repo.js';
import { createThrottle, type Throttle } from './accounts/throttle.js';
import { createPasswordChange, type ChangePassword } from './accounts/password-change.js';
import {
  createEmailChange,
  emailChangeFlow,
  type EmailChangeService,
} from './accounts/email-change.js';
import { createAuditLog, type AuditLog } from './audit/audit.js';
import type { Clock } from './clock.js';
import type { Config } from './config/load.js';
import { createKeyedHasher, type KeyedHasher } from './crypto/keyed-hash.js';
import { createSecretBox, derivedKey, type SecretBox } from './crypto/secret-box.js';
import { createOutboxSender, listOutbox, type OutboxEntry } from './delivery/dev-outbox.js';
import { recentActivity, type ActivityEntry } from './accounts/activity.js';
import { loadFactors, type AccountFactors } from './factors/account-factors.js';
import { removalRules } from './policy/factor-rules.js';
import { createOutbox, type Outbox, type OutboxEvents } from './delivery/outbox.js';
import {
  createDelivery,
  type Delivery,
  type OutgoingMessage,
  type Sender,
} from './delivery/sender.js';
import { createSmtpSender } from './delivery/smtp.js';
import { createSpendGuard } from './delivery/spend-guard.js';
import { createTwilioSenders } from './delivery/twilio.js';
import {
  createDbCounterStore,
  createRedisCounterStore,
  type CounterStore,
} from './store/counters.js';
import { openRedis } from './store/redis.js';
import type { Redis } from 'ioredis';
import { createChallenges, type Challenges } from './factors/otp-code/challenge.js';
import { createCodeService, type CodeService } from './factors/otp-code/codes.js';
import {
  createPasswordHasher,
  type Argon2Params,
  type PasswordHasher,
} from './factors/password/hashing.js';
import { createPasskeyRepo, type PasskeyRepo } from './factors/passkey/repo.js';
import {
  createPasskeyService,
  passkeyRegistrationFlow,
  type PasskeyService,
} from './factors/passkey/service.js';
import { createPasskeyVerifier } from './factors/passkey/verifier.js';
import { createPhoneRepo, type PhoneRepo } from './factors/phone/repo.js';
import {
  createPhoneService,
  phoneEnrolmentFlow,
  type PhoneService,
} from './factors/phone/service.js';
import { recoveryCodeBits } from './factors/recovery/code.js';
import { createRecoveryCodeRepo } from './factors/recovery/repo.js';
import { createRecoveryCodeService, type RecoveryCodeService } from './factors/recovery/service.js';
import { createTotpRepo, type TotpRepo } from './factors/totp/repo.js';
import { createTotpService, totpEnrolmentFlow, type TotpService } from './factors/totp/service.js';
import { createTotpVerifier } from './factors/totp/verifier.js';
import { signInFlow } from './flows/sign-in/machine.js';
import { passkeySignInFlow } from './flows/sign-in/passkey.js';
import { resetFlow } from './flows/password-reset/machine.js';
import { createFlowStore } from './store/flow-store.js';
import {
  createSignInService,
  type SignInOutcome,
  type SignInService,
} from './flows/sign-in/service.js';
import { createStepUpService, stepUpFlow, type StepUpService } from './flows/step-up/service.js';
import {
  createPasswordResetService,
  type PasswordResetService,
} from './flows/password-reset/service.js';
import { RECOVERY_CODE_NIST_DIGITS, type FactorKind, type Policy } from './policy/presets.js';
import { createPolicyAdmin, type PolicyAdmin } from './policy/admin.js';
import { createPolicySource, type PolicySource } from './policy/source.js';
import { createSessionService, type SessionService } from './sessions/sessions.js';
import type { Store } from './store/dialect.js';
import type { Account } from './store/schema.js';

export interface Logger {
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Services {
  config: Config;
  policy: Policy;
  /** The policy per account (deployment's, tightened by an organisation's). */
  policies: PolicySource;
  /** The admin API's changes to the deployment policy and to organisations. */
  policyAdmin: PolicyAdmin;
  store: Store;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  audit: AuditLog;
  delivery: Delivery;
  codes: CodeService;
  challenges: Challenges;
  throttle: Throttle;
  sessions: SessionService;
  accounts: AccountService;
  /** The `accounts` table. */
  accountRepo: AccountRepo;
  signIn: SignInService;
  stepUp: StepUpService;
  phones: PhoneRepo;
  phone: PhoneService;
  box: SecretBox;
  totps: TotpRepo;
  totp: TotpService;
  passkeys: PasskeyRepo;
  passkey: PasskeyService;
  recovery: RecoveryCodeService;
  passwordReset: PasswordResetService;
  changePassword: ChangePassword;
  /** Changing the account's email: a code to the new address (issue 6). */
  changeEmail: EmailChangeService;
  /** Every message sent, durably (S32); after the answer unless a page waits for it (S6). */
  outbox: Outbox;
  /** Counters shared by every process: send limits, reset limits, per-IP limits. */
  counters: CounterStore;
  /** The Redis connection, where `REDIS_URL` is set. */
  redis: Redis | undefined;
  /** Which factors an account holds, and which of them it may remove now (its policy's say). */
  factors: {
    of(accountId: string): Promise<AccountFactors>;
    removable(account: Account): Promise<(factor: FactorKind) => boolean>;
  };
  /** The account's recent security events, in plain words (the Activity tab). */
  activity(accountId: string): Promise<ActivityEntry[]>;
  /** Whether the development outbox is on (never in production). */
  devOutbox: boolean;
  /** What the development outbox holds, newest first (only when it is on). */
  devMessages(filter: { to?: string; limit: number }): Promise<OutboxEntry[]>;
  close(): Promise<void>;
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

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function senders(
  config: Config,
  store: Store,
  clock: Clock,
  extra: Sender[],
  closers: (() => unknown)[],
): Sender[] {
  const out: Sender[] = [];
  if (config.smtpUrl) {
    const smtp = createSmtpSender(config.smtpUrl, config.mailFrom, config.smtpTimeoutMs);
    closers.push(() => smtp.close());
    out.push(smtp);
  }
  if (config.sms.twilio) {
    const twilio = createTwilioSenders({ ...config.sms.twilio, timeoutMs: config.sms.timeoutMs });
    out.push(twilio.sms, twilio.voice);
  }
  if (config.mode !== 'production') {
    for (const channel of ['email', 'sms', 'voice'] as const) {
      if (!out.some((s) => s.channel === channel))
        out.push(createOutboxSender(store.db, clock, channel));
    }
  }
  for (const s of extra) {
    const i = out.findIndex((x) => x.channel === s.channel);
    if (i >= 0) out.splice(i, 1, s);
    else out.push(s);
  }
  return out;
}

export function createServices(
  config: Config,
  store: Store,
  clock: Clock,
  opts: ServiceOptions = {},
): Services {
  const { db, units } = store;
  const log = opts.log ?? silent;
  const policy = config.policy;
  if (policy.recoveryCode.digits < RECOVERY_CODE_NIST_DIGITS) {
    log.warn(
      {
        policy: policy.name,
        recoveryCodeDigits: policy.recoveryCode.digits,
        bits: Math.floor(recoveryCodeBits(policy.recoveryCode.digits)),
      },
      `recovery codes of ${policy.recoveryCode.digits} digits carry fewer than the 64 bits NIST SP 800-63B-4 asks of look-up secrets (${RECOVERY_CODE_NIST_DIGITS} digits would)`,
    );
  }
  // Read from the database at every use (an administrator may change it at any time).
  const policies = createPolicySource(db, policy);
  const hasher = createKeyedHasher(config.secretKey);
  // The key derived from SECRET_KEY (`k0`) always opens what it sealed before ENCRYPTION_KEYS was
  // set, so `reencrypt` can move those secrets to a configured key.
  const derived = derivedKey(config.secretKey);
  const keys = config.encryptionKeys === 'derived' ? [] : config.encryptionKeys;
  const box = createSecretBox(keys.some((k) => k.id === derived.id) ? keys : [...keys, derived]);
  const passwords = createPasswordHasher(opts.argon2);
  const accountRepo = createAccountRepo(db);
  const audit = createAuditLog(db, clock);
  const closers: (() => unknown)[] = [];
  const delivery = createDelivery(senders(config, store, clock, opts.senders ?? [], closers));
  const outbox = createOutbox({
    store,
    clock,
    box,
    delivery,
    leaseMs: config.outboxLeaseMs,
    log,
    ...(opts.outboxEvents ? { events: opts.outboxEvents } : {}),
  });
  // First in the list: sends in flight finish before the providers and the database close.
  closers.unshift(() => outbox.stop());
  // Written with the change that causes it (in its unit of work), sent after the answer.
  const notify = (message: OutgoingMessage) => outbox.enqueue(message);

  const redis = config.redisUrl ? openRedis(config.redisUrl, log) : undefined;
  if (redis) closers.push(() => redis.quit().catch(() => redis.disconnect()));
  const counters: CounterStore = redis ? createRedisCounterStore(redis) : createDbCounterStore(db);
  const guard = createSpendGuard(
    counters,
    { ...config.sms.limits, allowedCountries: config.phone.allowedCountries },
    clock,
    log,
    { hashKey: (value) => hasher.hash('send-limit', value) },
  );

  const codes = createCodeService(db, clock, hasher);
  const challenges = createChallenges({
    codes,
    outbox,
    guard,
    clock,
    policies,
    settings: {
      portalName: config.portalName,
      emailValidityMs: config.emailCodeValidityMs,
      phoneValidityMs: config.sms.codeValidityMs,
      resendCooldownMs: config.codeResendCooldownMs,
    },
  });
  const throttle = createThrottle(db, clock);
  const sessions = createSessionService(db, clock, hasher, {
    idleMs: config.sessionIdleMs,
    absoluteMs: config.sessionAbsoluteMs,
  });
  // Every kind of flow, with its transition table: the store refuses any other move.
  const flows = createFlowStore(db, clock, hasher, [
    signInFlow,
    passkeySignInFlow,
    resetFlow,
    stepUpFlow,
    emailChangeFlow,
    totpEnrolmentFlow,
    phoneEnrolmentFlow,
    passkeyRegistrationFlow,
  ]);
  const phones = createPhoneRepo(db);
  const totps = createTotpRepo(db);
  const recoveryCodes = createRecoveryCodeRepo(db);
  const totpVerifier = createTotpVerifier({ clock, box, totps, throttle, audit });
  const rp = config.webauthn;
  const passkeys = createPasskeyRepo(db);
  const passkeyVerifier = createPasskeyVerifier({
    units,
    accounts: accountRepo,
    clock,
    rp,
    passkeys,
    throttle,
    audit,
    notify,
    portalName: config.portalName,
    log,
  });
  const accounts = createAccountService({
    db,
    accounts: accountRepo,
    clock,
    hasher,
    passwords,
    units: store.units,
    outbox,
    audit,
    settings: {
      portalName: config.portalName,
      publicUrl: config.publicUrl,
      passwordMinLength: config.passwordMinLength,
      invitationValidityMs: config.invitationValidityMs,
    },
  });
  const holdings = (accountId: string) => loadFactors(db, accountId);
  const stepUp = createStepUpService({
    clock,
    holdings,
    codes,
    challenges,
    flows,
    sessions,
    throttle,
    phones,
    totps,
    totp: totpVerifier,
    passkeys,
    passkey: passkeyVerifier,
    rp,
    audit,
    policies,
  });
  const recovery = createRecoveryCodeService({
    clock,
    units,
    passwords,
    recoveryCodes,
    stepUp,
    throttle,
    audit,
    policies,
    notify,
    portalName: config.portalName,
  });
  const totp = createTotpService({
    db,
    units,
    clock,
    box,
    totps,
    flows,
    stepUp,
    throttle,
    audit,
    policies,
    notify,
    portalName: config.portalName,
  });
  const signIn = createSignInService({
    db,
    accounts: accountRepo,
    units,
    clock,
    hasher,
    passwords,
    codes,
    challenges,
    flows,
    sessions,
    throttle,
    phones,
    totps,
    totp: totpVerifier,
    recovery,
    rp,
    passkeys,
    passkey: passkeyVerifier,
    box,
    audit,
    policies,
    notify,
    phoneRules: config.phone,
    portalName: config.portalName,
    ...(opts.onSignInOutcome ? { onOutcome: opts.onSignInOutcome } : {}),
  });
  const phone = createPhoneService({
    db,
    units,
    clock,
    codes,
    challenges,
    flows,
    phones,
    stepUp,
    throttle,
    audit,
    policies,
    notify,
    phoneRules: config.phone,
    portalName: config.portalName,
  });
  const passkey = createPasskeyService({
    db,
    units,
    clock,
    rp,
    passkeys,
    flows,
    stepUp,
    audit,
    policies,
    notify,
    portalName: config.portalName,
  });

  const passwordReset = createPasswordResetService({
    db,
    accounts: accountRepo,
    units,
    clock,
    hasher,
    passwords,
    codes,
    challenges,
    flows,
    sessions,
    throttle,
    phones,
    totp: totpVerifier,
    rp,
    passkeys,
    passkey: passkeyVerifier,
    recovery,
    box,
    audit,
    policies,
    outbox,
    counters,
    notify,
    settings: { portalName: config.portalName, passwordMinLength: config.passwordMinLength },
  });

  const changePassword = createPasswordChange({
    units,
    accounts: accountRepo,
    clock,
    hasher,
    passwords,
    throttle,
    stepUp,
    sessions,
    audit,
    notify,
    settings: { portalName: config.portalName, passwordMinLength: config.passwordMinLength },
  });

  const changeEmail = createEmailChange({
    units,
    accounts: accountRepo,
    clock,
    codes,
    challenges,
    flows,
    stepUp,
    throttle,
    audit,
    outbox,
    counters,
    notify,
    settings: { portalName: config.portalName },
  });

  const policyAdmin = createPolicyAdmin({
    db,
    units,
    accounts: accountRepo,
    clock,
    audit,
    policies,
    configured: policy,
    textsAvailable: config.mode !== 'production' || config.sms.provider === 'twilio',
    portalName: config.portalName,
    notify,
  });

  return {
    config,
    policy,
    policies,
    policyAdmin,
    store,
    clock,
    hasher,
    passwords,
    audit,
    delivery,
    codes,
    challenges,
    throttle,
    sessions,
    accounts,
    accountRepo,
    signIn,
    stepUp,
    phones,
    phone,
    box,
    totps,
    totp,
    passkeys,
    passkey,
    recovery,
    passwordReset,
    changePassword,
    changeEmail,
    outbox,
    counters,
    redis,
    factors: {
      of: holdings,
      removable: (account) => removalRules({ db, clock, policies }, account),
    },
    activity: (accountId) => recentActivity(db, accountId),
    devOutbox: config.mode !== 'production',
    devMessages: (filter) => listOutbox(db, filter),
    async close() {
      for (const c of closers) await c();
      await store.close();
    },
  };
}
