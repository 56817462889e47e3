/**
 * The password reset's core: its deps, loading a flow (an unknown or finished one answers as
 * RESET_NOT_FOUND, one whose data does not fit its state as FLOW_STATE_CONFLICT, and only the
 * first step is reachable without an account, S6), the one typed `save` every write goes through,
 * the limits it counts, and what the account may use to confirm a recovery code. Each step's
 * module (`email-step`, `second-factor`, `new-password`) builds on it.
 */
import { parseEmail } from '../../accounts/email.js';
import type { AccountRepo } from '../../accounts/repo.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Outbox } from '../../delivery/outbox.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { countAgainstLimit } from '../../delivery/spend-guard.js';
import { AppError } from '../../errors/app-error.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import { countedCheck, Refused } from '../../factors/counted-check.js';
import type { Challenges } from '../../factors/otp-code/challenge.js';
import type { CodeService } from '../../factors/otp-code/codes.js';
import type { PasswordHasher } from '../../factors/password/hashing.js';
import type { RecoveryCodeService } from '../../factors/recovery/service.js';
import type { FactorRegistry } from '../../factors/registry.js';
import type { PolicySource } from '../../policy/source.js';
import type { SessionService } from '../../sessions/sessions.js';
import type { CounterStore } from '../../store/counters.js';
import type { FlowStore, StoredFlow } from '../../store/flow-store.js';
import type { Account } from '../../store/schema.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import {
  fitsState,
  resetFlow,
  resetSecondFactors,
  type ResetData,
  type ResetFlow,
  type ResetFlowAt,
  type ResetMoveFrom,
  type ResetState,
  type ResetStepAt,
} from './machine.js';
import { createResetView, type ResetView, type SecondFactorContext } from './view.js';

export const FLOW_KIND = resetFlow.kind;
export const HOUR = 60 * 60_000;

/** Reset emails one address may be sent per hour, and resets one IP may start per 10 minutes. */
export const RESET_LIMITS = { perEmailPerHour: 5, perIpPer10Min: 20 };

export interface PasswordResetDeps {
  accounts: AccountRepo;
  units: UnitOfWork;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  sessions: SessionService;
  throttle: Throttle;
  /** Every factor behind one interface: what confirms a recovery code. */
  factors: FactorRegistry;
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
  recovery: RecoveryCodeService;
  box: SecretBox;
  audit: AuditLog;
  /** Read per request: the deployment's before the account is known, the account's after. */
  policies: PolicySource;
  outbox: Outbox;
  counters: CounterStore;
  notify: (message: OutgoingMessage) => Promise<void>;
  settings: { portalName: string; passwordMinLength: number };
}

export type { ResetFlow };

/** A reset is for an active account only: any other is answered as no account (S6). */
export async function activeAccount(
  found: Promise<Account | undefined>,
): Promise<Account | undefined> {
  const account = await found;
  return account?.state === 'active' ? account : undefined;
}

export type ResetCore = ReturnType<typeof createResetCore>;

export function createResetCore(d: PasswordResetDeps) {
  const emailKey = (normalized: string) => d.hasher.hash('email', normalized);
  const present = createResetView(d);

  /**
   * Every write of a reset: the next state with exactly its data, and only where the flow's own
   * state may lead (as far as its type says; the flow store checks the table again at run time).
   * A versioned write: FLOW_STATE_CONFLICT when another submit moved the flow first.
   */
  async function save<F extends ResetState, T extends ResetMoveFrom<F>['state']>(
    flow: StoredFlow<F, ResetData>,
    next: { state: T } & ResetStepAt<T>,
  ): Promise<ResetFlowAt<T>> {
    return (await d.flows.save<ResetState, ResetData>(flow, next)) as ResetFlowAt<T>;
  }

  /**
   * Past the recovery code the account is known to the user, so its own policy applies: the
   * second factors it holds that its policy (an organisation's, maybe) lets it use.
   */
  async function secondFactorsOf(account: Account): Promise<SecondFactorContext> {
    const [factors, own] = await Promise.all([
      d.holdings(account.id),
      d.policies.forAccount(account.id),
    ]);
    return { account, factors, choices: resetSecondFactors(factors, own.factors) };
  }

  return {
    emailKey,
    present,
    secondFactorsOf,

    hit: (key: string, windowMs: number, max: number) =>
      countAgainstLimit(
        d.counters,
        { key, windowMs, max, why: 'password-reset limit' },
        d.clock.now(),
      ),

    /** The flow at one of `allowed`, its data as its state says (checked: it is JSON read back). */
    async load<S extends ResetState>(token: string, ...allowed: S[]) {
      let stored: StoredFlow<string, unknown>;
      try {
        stored = await d.flows.load<string, unknown>(token, FLOW_KIND);
      } catch (err) {
        if (err instanceof AppError && err.code === 'FLOW_NOT_FOUND')
          throw new AppError('RESET_NOT_FOUND');
        throw err;
      }
      if (!(allowed as string[]).includes(stored.state) || !fitsState(stored.state, stored.data))
        throw new AppError('FLOW_STATE_CONFLICT');
      const flow = stored as ResetFlowAt<S>;
      const acc = flow.accountId ? await activeAccount(d.accounts.byId(flow.accountId)) : undefined;
      // Only the first step is reachable without an account (and looks the same without one).
      if (!acc && flow.accountId !== null) throw new AppError('RESET_NOT_FOUND');
      return { flow, acc };
    },

    requireAccount(acc: Account | undefined): Account {
      if (!acc) throw new AppError('FLOW_STATE_CONFLICT');
      return acc;
    },

    save,

    /** What a page may see of the account: only once the recovery code was right. */
    viewFactors: (flow: ResetFlow, acc: Account | undefined) =>
      flow.state === 'second_factor' && acc ? secondFactorsOf(acc) : Promise.resolve(undefined),

    /**
     * A secret typed in the first step: counted on the account (S5) or, for an address with no
     * account, on a counter of its own that throttles and locks the same way.
     */
    async countedFirstStep(
      flow: ResetFlow,
      acc: Account | undefined,
      check: () => Promise<Refused | undefined>,
      origin: RequestOrigin,
    ): Promise<void> {
      if (acc) {
        await countedCheck(d, { accountId: acc.id, purpose: 'password_reset', origin }, check);
        return;
      }
      await d.throttle.attempt(`code:reset:${emailKey(parseEmail(flow.data.email).normalized)}`);
      const failure = (await check()) ?? new Refused('invalid', new AppError('CODE_INVALID'));
      throw failure.error;
    },
  };
}

export type { ResetView };
