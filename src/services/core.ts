/**
 * What every domain is wired with, built first: the keys (keyed hashing, the secret box, the
 * password hasher), the policy source, the accounts table, the audit log, the throttle, sessions
 * and delivery. Warns at start when the policy's recovery codes are shorter than NIST asks.
 */
import { createAccountRepo, type AccountRepo } from '../accounts/repo.js';
import { createThrottle, type Throttle } from '../accounts/throttle.js';
import { createAuditLog, type AuditLog } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { createKeyedHasher, type KeyedHasher } from '../crypto/keyed-hash.js';
import { createSecretBox, derivedKey, type SecretBox } from '../crypto/secret-box.js';
import { createPasswordHasher, type PasswordHasher } from '../factors/password/hashing.js';
import { recoveryCodeBits } from '../factors/recovery/code.js';
import { RECOVERY_CODE_NIST_DIGITS, type Policy } from '../policy/presets.js';
import { createPolicySource, type PolicySource } from '../policy/source.js';
import { createSessionService, type SessionService } from '../sessions/sessions.js';
import { withEndings, type SessionEndings } from '../sessions/endings.js';
import type { Store } from '../store/dialect.js';
import { wireDelivery, type DeliveryWiring } from './delivery.js';
import type { Logger, ServiceOptions } from './types.js';

export interface Core extends DeliveryWiring {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The configured deployment policy (an administrator may replace it: read `policies`). */
  policy: Policy;
  policies: PolicySource;
  hasher: KeyedHasher;
  box: SecretBox;
  passwords: PasswordHasher;
  accountRepo: AccountRepo;
  audit: AuditLog;
  throttle: Throttle;
  sessions: SessionService;
  /** Sessions ended before their time, told once committed (back-channel logout). */
  sessionEndings: SessionEndings;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function warnOfShortRecoveryCodes(policy: Policy, log: Logger): void {
  if (policy.recoveryCode.digits >= RECOVERY_CODE_NIST_DIGITS) return;
  log.warn(
    {
      policy: policy.name,
      recoveryCodeDigits: policy.recoveryCode.digits,
      bits: Math.floor(recoveryCodeBits(policy.recoveryCode.digits)),
    },
    `recovery codes of ${policy.recoveryCode.digits} digits carry fewer than the 64 bits NIST SP 800-63B-4 asks of look-up secrets (${RECOVERY_CODE_NIST_DIGITS} digits would)`,
  );
}

/** The secret box: the configured keys, and always the key derived from SECRET_KEY. */
function secretBox(config: Config): SecretBox {
  // The key derived from SECRET_KEY (`k0`) always opens what it sealed before ENCRYPTION_KEYS was
  // set, so `reencrypt` can move those secrets to a configured key.
  const derived = derivedKey(config.secretKey);
  const keys = config.encryptionKeys === 'derived' ? [] : config.encryptionKeys;
  return createSecretBox(keys.some((key) => key.id === derived.id) ? keys : [...keys, derived]);
}

export function wireCore(
  config: Config,
  store: Store,
  clock: Clock,
  options: ServiceOptions,
): Core {
  const { db } = store;
  const log = options.log ?? silent;
  const policy = config.policy;
  warnOfShortRecoveryCodes(policy, log);
  // Read from the database at every use (an administrator may change it at any time).
  const policies = createPolicySource(db, policy);
  const hasher = createKeyedHasher(config.secretKey);
  const box = secretBox(config);
  const passwords = createPasswordHasher(options.argon2);
  const accountRepo = createAccountRepo(db);
  const audit = createAuditLog(db, clock);
  const delivery = wireDelivery({
    config,
    store,
    clock,
    box,
    hasher,
    log,
    senders: options.senders ?? [],
    outboxEvents: options.outboxEvents,
  });
  const throttle = createThrottle(db, clock);
  const { sessions, endings: sessionEndings } = withEndings(
    createSessionService(db, clock, hasher, {
      idleMs: config.sessionIdleMs,
      absoluteMs: config.sessionAbsoluteMs,
    }),
    store.units,
  );
  return {
    ...delivery,
    config,
    store,
    clock,
    log,
    policy,
    policies,
    hasher,
    box,
    passwords,
    accountRepo,
    audit,
    throttle,
    sessions,
    sessionEndings,
  };
}
