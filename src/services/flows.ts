/**
 * The flows, wired: the flow store with every kind of flow and its transition table, step-up,
 * sign-in, the forgotten-password reset, and the security page's password and email changes.
 * Step-up, sign-in and the reset share one set of deps (`FlowDeps`); each adds its own.
 */
import { createEmailChange, emailChangeFlow } from '../accounts/email-change.js';
import { createEmailReverify, emailReverifyFlow } from '../accounts/email-reverify.js';
import { createPasswordChange } from '../accounts/password-change.js';
import { passkeyRegistrationFlow } from '../factors/passkey/service.js';
import { phoneEnrolmentFlow } from '../factors/phone/service.js';
import type { RecoveryCodeService } from '../factors/recovery/service.js';
import { totpEnrolmentFlow } from '../factors/totp/service.js';
import { resetFlow } from '../flows/password-reset/machine.js';
import { createPasswordResetService } from '../flows/password-reset/service.js';
import { signInFlow } from '../flows/sign-in/machine.js';
import { passkeySignInFlow } from '../flows/sign-in/passkey.js';
import { createSignInService, type SignInOutcome } from '../flows/sign-in/service.js';
import { createStepUpService, stepUpFlow, type StepUpService } from '../flows/step-up/service.js';
import { createFlowStore, type FlowStore } from '../store/flow-store.js';
import type { Core } from './core.js';
import type { FactorChecks } from './factors.js';

/** Every kind of flow, with its transition table: the store refuses any other move. */
export function wireFlowStore(core: Core): FlowStore {
  return createFlowStore(core.store.db, core.clock, core.hasher, [
    signInFlow,
    passkeySignInFlow,
    resetFlow,
    stepUpFlow,
    emailChangeFlow,
    emailReverifyFlow,
    totpEnrolmentFlow,
    phoneEnrolmentFlow,
    passkeyRegistrationFlow,
  ]);
}

/** What step-up, sign-in and the password reset all take. */
export function flowDeps(core: Core, checks: FactorChecks, flows: FlowStore) {
  return {
    clock: core.clock,
    codes: checks.codes,
    challenges: checks.challenges,
    flows,
    sessions: core.sessions,
    throttle: core.throttle,
    phones: checks.phones,
    totp: checks.totpVerifier,
    passkeys: checks.passkeys,
    passkey: checks.passkeyVerifier,
    factors: checks.registry,
    holdings: checks.holdings,
    rp: checks.rp,
    audit: core.audit,
    policies: core.policies,
    units: core.store.units,
  };
}

export type FlowDeps = ReturnType<typeof flowDeps>;

export function wireStepUp(deps: FlowDeps): StepUpService {
  return createStepUpService(deps);
}

export function wireFlows(
  core: Core,
  checks: FactorChecks,
  deps: FlowDeps,
  stepUp: StepUpService,
  recovery: RecoveryCodeService,
  onSignInOutcome: ((outcome: SignInOutcome) => void) | undefined,
) {
  const { config, store, clock, hasher, passwords, audit, throttle, notify } = core;
  const { units } = store;
  const accounts = core.accountRepo;
  const portalName = config.portalName;
  const signIn = createSignInService({
    ...deps,
    accounts,
    units,
    hasher,
    passwords,
    enrolments: checks.enrolments,
    recovery,
    box: core.box,
    notify,
    portalName,
    ...(onSignInOutcome ? { onOutcome: onSignInOutcome } : {}),
  });
  const passwordReset = createPasswordResetService({
    ...deps,
    accounts,
    units,
    hasher,
    passwords,
    recovery,
    box: core.box,
    outbox: core.outbox,
    counters: core.counters,
    notify,
    settings: { portalName, passwordMinLength: config.passwordMinLength },
  });
  const changePassword = createPasswordChange({
    units,
    accounts,
    clock,
    hasher,
    passwords,
    throttle,
    stepUp,
    sessions: core.sessions,
    audit,
    notify,
    settings: { portalName, passwordMinLength: config.passwordMinLength },
  });
  const changeEmail = createEmailChange({
    units,
    accounts,
    clock,
    codes: checks.codes,
    challenges: checks.challenges,
    flows: deps.flows,
    stepUp,
    throttle,
    audit,
    outbox: core.outbox,
    counters: core.counters,
    notify,
    settings: { portalName },
  });
  const verifyEmail = createEmailReverify({
    accounts,
    clock,
    codes: checks.codes,
    challenges: checks.challenges,
    flows: deps.flows,
    throttle,
    audit,
    counters: core.counters,
    units,
  });
  return { signIn, passwordReset, changePassword, changeEmail, verifyEmail };
}
