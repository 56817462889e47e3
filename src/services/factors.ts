/**
 * The factors, wired in two steps. First what checks them (one-time codes and their challenges,
 * the factor tables, the TOTP and passkey verifiers, what an account holds); then, once step-up
 * exists, the security page's services that add or remove them (phone, app, passkey, recovery
 * code). Routes ask about an account's factors through `factorQueries`.
 */
import { loadFactors, type AccountFactors } from '../factors/account-factors.js';
import { createChallenges, type Challenges } from '../factors/otp-code/challenge.js';
import { createCodeService, type CodeService } from '../factors/otp-code/codes.js';
import { createPasskeyRepo, type PasskeyRepo } from '../factors/passkey/repo.js';
import { createPasskeyService, type PasskeyService } from '../factors/passkey/service.js';
import { createPasskeyVerifier, type PasskeyVerifier } from '../factors/passkey/verifier.js';
import { createPhoneRepo, type PhoneRepo } from '../factors/phone/repo.js';
import { createPhoneService, type PhoneService } from '../factors/phone/service.js';
import { createRecoveryCodeRepo, type RecoveryCodeRepo } from '../factors/recovery/repo.js';
import {
  createRecoveryCodeService,
  type RecoveryCodeService,
} from '../factors/recovery/service.js';
import {
  createRecoveryCodeVerifier,
  type RecoveryCodeVerifier,
} from '../factors/recovery/verifier.js';
import { createEnrolmentRegistry, type EnrolmentRegistry } from '../factors/enrolments.js';
import { createFactorRegistry, type FactorRegistry } from '../factors/registry.js';
import { createTotpRepo, type TotpRepo } from '../factors/totp/repo.js';
import { createTotpService, type TotpService } from '../factors/totp/service.js';
import { createTotpVerifier, type TotpVerifier } from '../factors/totp/verifier.js';
import type { StepUpService } from '../flows/step-up/service.js';
import type { FlowStore } from '../store/flow-store.js';
import type { RelyingPartyConfig } from '../config/webauthn.js';
import { removalRules } from '../policy/factor-rules.js';
import type { Core } from './core.js';
import type { RouteServices } from './types.js';

export interface FactorChecks {
  codes: CodeService;
  challenges: Challenges;
  phones: PhoneRepo;
  totps: TotpRepo;
  recoveryCodes: RecoveryCodeRepo;
  passkeys: PasskeyRepo;
  rp: RelyingPartyConfig;
  totpVerifier: TotpVerifier;
  passkeyVerifier: PasskeyVerifier;
  recoveryVerifier: RecoveryCodeVerifier;
  /** Every factor behind one interface (`factors/registry.ts`): what flows check answers with. */
  registry: FactorRegistry;
  /** Adding a factor inside sign-in (`factors/enrolments.ts`). */
  enrolments: EnrolmentRegistry;
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
}

export interface FactorServices {
  recovery: RecoveryCodeService;
  totp: TotpService;
  phone: PhoneService;
  passkey: PasskeyService;
}

export function wireFactorChecks(core: Core): FactorChecks {
  const { config, store, clock, hasher, box, throttle, audit } = core;
  const { db, units } = store;
  const codes = createCodeService(db, clock, hasher);
  const challenges = createChallenges({
    codes,
    outbox: core.outbox,
    guard: core.guard,
    clock,
    policies: core.policies,
    settings: {
      portalName: config.portalName,
      emailValidityMs: config.emailCodeValidityMs,
      phoneValidityMs: config.sms.codeValidityMs,
      resendCooldownMs: config.codeResendCooldownMs,
    },
  });
  const phones = createPhoneRepo(db);
  const totps = createTotpRepo(db);
  const recoveryCodes = createRecoveryCodeRepo(db);
  const totpVerifier = createTotpVerifier({ clock, box, totps, throttle, audit });
  const rp = config.webauthn;
  const passkeys = createPasskeyRepo(db);
  const passkeyVerifier = createPasskeyVerifier({
    units,
    accounts: core.accountRepo,
    clock,
    rp,
    passkeys,
    throttle,
    audit,
    notify: core.notify,
    portalName: config.portalName,
    log: core.log,
  });
  const recoveryVerifier = createRecoveryCodeVerifier({
    clock,
    units,
    passwords: core.passwords,
    recoveryCodes,
    throttle,
    audit,
    notify: core.notify,
    portalName: config.portalName,
  });
  const registry = createFactorRegistry({
    clock,
    codes,
    challenges,
    throttle,
    audit,
    phones,
    totp: totpVerifier,
    recovery: recoveryVerifier,
    rp,
    passkeys,
    passkey: passkeyVerifier,
  });
  const enrolments = createEnrolmentRegistry({
    clock,
    units,
    codes,
    challenges,
    throttle,
    audit,
    phones,
    phoneRules: config.phone,
    box,
    totps,
    rp,
    passkeys,
    portalName: config.portalName,
    notify: core.notify,
  });
  return {
    codes,
    challenges,
    phones,
    totps,
    recoveryCodes,
    passkeys,
    rp,
    totpVerifier,
    passkeyVerifier,
    recoveryVerifier,
    registry,
    enrolments,
    holdings: (accountId) => loadFactors(db, accountId),
  };
}

export function wireFactorServices(
  core: Core,
  checks: FactorChecks,
  flows: FlowStore,
  stepUp: StepUpService,
): FactorServices {
  const { config, store, clock, throttle, audit, policies, notify } = core;
  const { db, units } = store;
  const portalName = config.portalName;
  const recovery = createRecoveryCodeService({
    clock,
    units,
    passwords: core.passwords,
    recoveryCodes: checks.recoveryCodes,
    stepUp,
    audit,
    policies,
    notify,
    portalName,
    verifier: checks.recoveryVerifier,
  });
  const totp = createTotpService({
    db,
    units,
    clock,
    box: core.box,
    totps: checks.totps,
    flows,
    stepUp,
    throttle,
    audit,
    policies,
    notify,
    portalName,
  });
  const phone = createPhoneService({
    db,
    units,
    clock,
    codes: checks.codes,
    challenges: checks.challenges,
    flows,
    phones: checks.phones,
    stepUp,
    throttle,
    audit,
    policies,
    notify,
    phoneRules: config.phone,
    portalName,
  });
  const passkey = createPasskeyService({
    db,
    units,
    clock,
    rp: checks.rp,
    passkeys: checks.passkeys,
    flows,
    stepUp,
    audit,
    policies,
    notify,
    portalName,
  });
  return { recovery, totp, phone, passkey };
}

/** What routes may ask about an account's factors (never the tables themselves). */
export function factorQueries(core: Core, checks: FactorChecks): RouteServices['factors'] {
  const { store, clock, policies } = core;
  return {
    of: checks.holdings,
    removable: (account) => removalRules({ db: store.db, clock, policies }, account),
    phone: (accountId) => checks.phones.find(accountId),
  };
}
