/**
 * Sign-in's core: its deps and results, loading a flow with the account's context (what it holds
 * and its policy), moving it to the next owed step along its table (a versioned write) and
 * entering that step, and the session a finished sign-in gets. The step modules (`first-factor`,
 * `second-factor`, `passkey`, the service's enrolment steps) build on it.
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
import type { PasskeyRepo } from '../../factors/passkey/repo.js';
import type { PasskeyVerifier } from '../../factors/passkey/verifier.js';
import type { PasswordHasher } from '../../factors/password/hashing.js';
import type { PhoneRules } from '../../factors/phone/numbers.js';
import type { PhoneRepo } from '../../factors/phone/repo.js';
import type { RecoveryCodeService } from '../../factors/recovery/service.js';
import type { FactorRegistry } from '../../factors/registry.js';
import type { TotpRepo } from '../../factors/totp/repo.js';
import type { PolicySource } from '../../policy/source.js';
import type { SessionService } from '../../sessions/sessions.js';
import type { FlowStore, StoredFlow } from '../../store/flow-store.js';
import type { Account, Session } from '../../store/schema.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import {
  nextStep,
  sessionAssurance,
  signInFlow,
  type SignInData,
  type SignInState,
} from './machine.js';
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
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
  phones: PhoneRepo;
  totps: TotpRepo;
  recovery: RecoveryCodeService;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  passkey: PasskeyVerifier;
  box: SecretBox;
  audit: AuditLog;
  policies: PolicySource;
  phoneRules: PhoneRules;
  portalName: string;
  /** Best-effort security notices (S21): a failure is logged, never fails the user's step. */
  notify: (message: OutgoingMessage) => Promise<void>;
  onOutcome?: (outcome: SignInOutcome) => void;
}

export type SignInResult =
  | { status: 'signed_in'; account: Account; session: Session; token: string }
  | { status: 'continue'; view: FlowView }
  | { status: 'restart'; message: string };

export type SignInFlow = StoredFlow<SignInState, SignInData>;
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
    return { acc, factors, policy };
  }

  async function createSession(
    ctx: AccountContext,
    data: SignInData,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const { acc, policy } = ctx;
    // Phone codes are restricted authenticators but reach AAL2; an email code never does (S9).
    const { amr, aal } = sessionAssurance(data);
    const { token, session } = await d.sessions.create({
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
      details: { methods: amr.map((m) => m.method).join('+'), aal },
    });
    outcome('success');
    return { status: 'signed_in', account: acc, session, token };
  }

  /** Enters `state` (its side effects: a code sent, a ceremony, a key) and shows it. */
  async function enter(
    token: string,
    flow: SignInFlow,
    ctx: AccountContext,
    data: SignInData,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const entered = await steps.enter(flow.state, flow, ctx, data, origin);
    const saved =
      entered === data ? flow : await d.flows.save(flow, { state: flow.state, data: entered });
    return { status: 'continue', view: await steps.view(token, saved, ctx) };
  }

  return {
    steps,
    outcome,
    contextOf,

    /** The code of verify_email or confirm_phone (sent by the step itself, not a held factor). */
    checkStepCode: (
      flow: SignInFlow,
      acc: Account,
      purpose: 'verify_email' | 'confirm_phone',
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

    async load(token: string, ...allowed: SignInState[]) {
      const flow = await d.flows.load<SignInState, SignInData>(token, signInFlow.kind);
      if (!allowed.includes(flow.state)) throw new AppError('FLOW_STATE_CONFLICT');
      const acc = await d.accounts.byId(flow.accountId ?? '');
      if (!acc || acc.state !== 'active') throw new AppError('FLOW_NOT_FOUND');
      return { flow, acc, ctx: await contextOf(acc) };
    },

    /** Moves the flow to the next owed step (versioned write) and enters it. */
    async advance(
      token: string,
      flow: SignInFlow,
      acc: Account,
      data: SignInData,
      origin: RequestOrigin,
    ): Promise<SignInResult> {
      const ctx = await contextOf(acc);
      const next = nextStep(acc, ctx.factors, ctx.policy, data, clock.now());
      // Claim the move first (a versioned write, along the table: `signInFlow`), so a double
      // submit cannot enter a step twice.
      const claimed = await d.flows.save(flow, { state: next, data });
      if (next === 'completed') return createSession(ctx, data, origin);
      return enter(token, claimed, ctx, data, origin);
    },

    /** After the first factor: the first owed step (a new flow), or the session if none is. */
    async begin(acc: Account, data: SignInData, origin: RequestOrigin): Promise<SignInResult> {
      const ctx = await contextOf(acc);
      const state = nextStep(acc, ctx.factors, ctx.policy, data, clock.now());
      // Nothing owed: no flow to persist, straight to the session.
      if (state === 'completed') return createSession(ctx, data, origin);
      const { token, flow } = await d.flows.create<SignInState, SignInData>({
        kind: signInFlow.kind,
        state,
        accountId: acc.id,
        data,
        ttlMs: FLOW_TTL_MS,
      });
      return enter(token, flow, ctx, data, origin);
    },
  };
}
