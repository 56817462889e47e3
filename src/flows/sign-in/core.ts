/**
 * Sign-in's core: its deps and results, loading a flow (its data checked against its state), the
 * one typed `save` every write goes through, moving a flow to the next owed step (claimed, then
 * entered) and the session a finished sign-in gets. The step modules build on it.
 */
import type { AccountRepo } from '../../accounts/repo.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { checkCode } from '../../factors/counted-check.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { Challenges } from '../../factors/otp-code/challenge.js';
import type { CodeService } from '../../factors/otp-code/codes.js';
import type { PasskeyVerifier } from '../../factors/passkey/verifier.js';
import type { PasswordHasher } from '../../factors/password/hashing.js';
import type { PhoneRepo } from '../../factors/phone/repo.js';
import type { RecoveryCodeService } from '../../factors/recovery/service.js';
import type { EnrolmentRegistry } from '../../factors/enrolments.js';
import type { FactorRegistry } from '../../factors/registry.js';
import type { PolicySource } from '../../policy/source.js';
import type { SessionService } from '../../sessions/sessions.js';
import type { FlowStore, StoredFlow } from '../../store/flow-store.js';
import type { Account, Session } from '../../store/schema.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import {
  evaluateAccount,
  nextStep,
  sessionAssurance,
  signInFlow,
  type SignInState,
} from './machine.js';
import {
  fitsState,
  progressOf,
  type SignInClaim,
  type SignInClaimed,
  type SignInClaimedAt,
  type SignInFlow,
  type SignInFlowAt,
  type SignInMoveFrom,
  type SignInProgress,
  type SignInStepAt,
} from './state-data.js';
import { createSignInSteps, type AccountContext, type FlowView } from './steps.js';

const FLOW_TTL_MS = 15 * 60_000;

export type SignInOutcome =
  'success' | 'invalid_credentials' | 'throttled' | 'locked' | 'disabled' | 'code_invalid';

export interface SignInDeps {
  units: UnitOfWork;
  accounts: AccountRepo;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  sessions: SessionService;
  throttle: Throttle;
  /** Every factor behind one interface: the second step reaches them by id. */
  factors: FactorRegistry;
  /** Adding a factor to meet the minimum, by the step's factor (`factors/enrolments.ts`). */
  enrolments: EnrolmentRegistry;
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
  phones: PhoneRepo;
  recovery: RecoveryCodeService;
  rp: RelyingPartyConfig;
  passkey: PasskeyVerifier;
  box: SecretBox;
  audit: AuditLog;
  policies: PolicySource;
  portalName: string;
  /** Best-effort security notices (S21): a failure is logged, never fails the user's step. */
  notify: (message: OutgoingMessage) => Promise<void>;
  onOutcome?: (outcome: SignInOutcome) => void;
}

export type SignInResult =
  | { status: 'signed_in'; account: Account; session: Session; token: string }
  | { status: 'continue'; view: FlowView }
  | { status: 'restart'; message: string };

export type { SignInFlow };
export type SignInCore = ReturnType<typeof createSignInCore>;

export function createSignInCore(d: SignInDeps) {
  const { clock } = d;
  const outcome = (o: SignInOutcome) => d.onOutcome?.(o);
  const steps = createSignInSteps(d);

  /** The account, what it holds and its policy (the deployment's, tightened by its organisation's). */
  async function contextOf(acc: Account): Promise<AccountContext> {
    const [factors, policy] = await Promise.all([
      d.holdings(acc.id),
      d.policies.forAccount(acc.id),
    ]);
    return { acc, factors, policy, pendingPhone: factors.pendingPhone };
  }

  /**
   * Every write of a sign-in: the state with exactly its data (or a claim: the progress only),
   * and only where the flow's own state may lead as far as its type says (the flow store checks
   * the table again at run time). Versioned: FLOW_STATE_CONFLICT when another submit came first.
   */
  function save<F extends SignInState, T extends SignInMoveFrom<F>>(
    flow: StoredFlow<F, SignInProgress>,
    next: { state: T } & SignInStepAt<T>,
  ): Promise<SignInFlowAt<T>>;
  function save<F extends SignInState, T extends SignInMoveFrom<F>>(
    flow: StoredFlow<F, SignInProgress>,
    next: SignInClaim<T>,
  ): Promise<SignInClaimedAt<T>>;
  async function save(
    flow: StoredFlow<SignInState, SignInProgress>,
    next: { state: SignInState; data: SignInProgress },
  ): Promise<StoredFlow<SignInState, SignInProgress>> {
    const data = 'claim' in next ? progressOf(next.data) : next.data;
    return d.flows.save<SignInState, SignInProgress>(flow, { state: next.state, data });
  }

  async function createSession(
    ctx: AccountContext,
    data: SignInProgress,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const { acc, policy } = ctx;
    // Phone codes are restricted authenticators but reach AAL2; an email code never does (S9).
    const { amr, aal } = sessionAssurance(data);
    // The password alone because an administrator turned MFA off: the audit event says so.
    const { exemptUntil } = evaluateAccount(acc, ctx.factors, policy, clock.now());
    const exempted = exemptUntil !== null && aal === 'aal1';
    // The session and its audit event commit together (S25).
    const { token, session } = await d.units.transaction(async () => {
      const made = await d.sessions.create({
        accountId: acc.id,
        aal,
        amr,
        origin,
        policyLimits: policy.sessionLimits,
      });
      await d.audit.record({
        action: 'sign_in.succeeded',
        actorId: acc.id,
        targetId: acc.id,
        origin,
        details: {
          methods: amr.map((m) => m.method).join('+'),
          aal,
          ...(exempted ? { mfaSkipped: 'exemption', mfaExemptUntil: exemptUntil } : {}),
        },
      });
      return made;
    });
    outcome('success');
    return { status: 'signed_in', account: acc, session, token };
  }

  /**
   * Enters a claimed state (a ceremony, a key, a recovery code), saves it, sends its code if it
   * has one, and shows it.
   */
  async function enter(
    token: string,
    claimed: SignInClaimed,
    ctx: AccountContext,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const step = await steps.enter(claimed, ctx, origin);
    // A step with nothing of its own (choose_mfa, enrol_phone): the claim is the step already.
    const saved = step ? await save(claimed, step) : (claimed as SignInFlow);
    if (steps.sendsOnEntry(saved)) await steps.sendCurrent(saved, ctx, origin);
    return { status: 'continue', view: await steps.view(token, saved, ctx) };
  }

  return {
    steps,
    outcome,
    contextOf,
    save,

    /** The code of verify_email or a phone's confirmation (sent by the step, not a held factor). */
    checkStepCode: (
      flow: { id: string },
      acc: Account,
      purpose: 'verify_email' | 'confirm_phone' | 'confirm_pending_phone',
      code: string,
      origin: RequestOrigin,
    ) =>
      checkCode(d, {
        binding: { flowId: flow.id, purpose },
        code,
        accountId: acc.id,
        origin,
        onFailure: () => outcome('code_invalid'),
      }),

    /** The flow at one of `allowed`, its data as its state says (checked: it is JSON read back). */
    async load<S extends SignInState>(token: string, ...allowed: S[]) {
      const stored = await d.flows.load<string, unknown>(token, signInFlow.kind);
      if (!(allowed as string[]).includes(stored.state) || !fitsState(stored.state, stored.data))
        throw new AppError('FLOW_STATE_CONFLICT');
      const flow = stored as SignInFlowAt<S>;
      const acc = await d.accounts.byId(flow.accountId ?? '');
      if (!acc || acc.state !== 'active') throw new AppError('FLOW_NOT_FOUND');
      return { flow, acc, ctx: await contextOf(acc) };
    },

    /** Moves the flow, with `progress`, to the next owed step; `known`: the context, unchanged. */
    async advance(
      token: string,
      flow: SignInClaimed,
      acc: Account,
      progress: SignInProgress,
      origin: RequestOrigin,
      known?: AccountContext,
    ): Promise<SignInResult> {
      const ctx = known ?? (await contextOf(acc));
      const data = progressOf(progress);
      const next = nextStep(acc, ctx.factors, ctx.policy, data, clock.now(), !!ctx.pendingPhone);
      // Claim the move first (a versioned write, along the table: `signInFlow`), so a double
      // submit cannot enter a step twice; the step's own data is saved once it is entered.
      const claimed = await save(flow, { state: next, claim: true, data });
      if (next === 'completed') return createSession(ctx, data, origin);
      return enter(token, claimed, ctx, origin);
    },

    /** After the first factor: the first owed step (a new flow), or the session if none is. */
    async begin(acc: Account, data: SignInProgress, origin: RequestOrigin): Promise<SignInResult> {
      const ctx = await contextOf(acc);
      const state = nextStep(acc, ctx.factors, ctx.policy, data, clock.now(), !!ctx.pendingPhone);
      // Nothing owed: no flow to persist, straight to the session.
      if (state === 'completed') return createSession(ctx, data, origin);
      // Created as a claim: the step's own data is saved once it is entered.
      const { token, flow } = await d.flows.create<SignInState, SignInProgress>({
        kind: signInFlow.kind,
        state,
        accountId: acc.id,
        data: progressOf(data),
        ttlMs: FLOW_TTL_MS,
      });
      return enter(token, flow as SignInClaimed, ctx, origin);
    },
  };
}
