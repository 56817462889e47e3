/**
 * Step-up (S20): before a change to email, phone, password or factors, the signed-in user
 * proves themselves again with a factor they *already* have — a passkey, a code from their
 * authenticator app, or a code sent to their verified phone or (where the policy allows it)
 * email. The flow is bound to the session that asked; success rotates the session token (S17)
 * and records the time, which routes that change factors require to be within the policy's
 * window (5 minutes by default). Every factor is reached through the registry, by its id.
 */
import type { RequestOrigin } from '../../audit/audit.js';
import { AppError } from '../../errors/app-error.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import { answerFits, type Answer, type Challenge } from '../../factors/factor.js';
import { isSentMethod, sentMethods, usableMethods } from '../../factors/registry.js';
import type { Policy } from '../../policy/presets.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Account, Session } from '../../store/schema.js';
import { loadSessionFlow, sessionFlow } from '../../store/flow-store.js';
import type {
  Rotated,
  StepUpData,
  StepUpDeps,
  StepUpMethod,
  StepUpService,
  StepUpView,
} from './types.js';

export type { StepUpDeps, StepUpMethod, StepUpService, StepUpView } from './types.js';
/** Its table: pending until done (`sessionFlowTransitions`). */
export const stepUpFlow = sessionFlow('step_up');
const FLOW_KIND = stepUpFlow.kind;
const FLOW_TTL_MS = 10 * 60_000;

/** What may vouch for a change under `policy`: held factors it allows, then email if it allows. */
function methodsUnder(policy: Policy, account: Account, factors: AccountFactors): StepUpMethod[] {
  return usableMethods(factors, {
    allowed: policy.factors,
    recoveryCode: false,
    email: policy.emailStepUp && account.email_verified_at !== null,
  }) as StepUpMethod[];
}

export function createStepUpService(d: StepUpDeps): StepUpService {
  const { clock } = d;

  /** The account's policy, what it holds and the methods those allow. */
  async function standing(account: Account) {
    const [policy, factors] = await Promise.all([
      d.policies.forAccount(account.id),
      d.holdings(account.id),
    ]);
    return { policy, factors, allowed: methodsUnder(policy, account, factors) };
  }

  /** The factor's context: the account, the step-up binding, the account's change cooldown. */
  const contextOf = (
    auth: AuthenticatedSession,
    factors: AccountFactors,
    flowId: string,
    origin: RequestOrigin,
  ) => ({
    account: auth.account,
    factors,
    binding: { flowId, purpose: 'step_up' as const },
    origin,
    pace: { accountChanges: auth.account.id },
  });

  /** Checks the method is the user's, then starts its challenge (a code sent, a ceremony). */
  async function begin(
    auth: AuthenticatedSession,
    flowId: string,
    channel: StepUpMethod,
    origin: RequestOrigin,
  ): Promise<Challenge> {
    const { policy, factors, allowed } = await standing(auth.account);
    if (!allowed.includes(channel)) throw new AppError('METHOD_NOT_AVAILABLE');
    return d.factors.get(channel).start({
      ...contextOf(auth, factors, flowId, origin),
      channels: sentMethods(allowed),
      length: policy.codeLength,
    });
  }

  async function view(
    token: string,
    flow: { id: string; data: StepUpData },
    auth: AuthenticatedSession,
  ): Promise<StepUpView> {
    const { channel, challenge } = flow.data;
    const { policy, factors, allowed } = await standing(auth.account);
    return {
      flow: token,
      method: channel,
      channels: allowed,
      destination: d.factors.get(channel).destination(auth.account, factors),
      code: isSentMethod(channel)
        ? await d.challenges.view(
            { flowId: flow.id, purpose: 'step_up' },
            channel,
            policy.codeLength,
          )
        : null,
      passkey: challenge?.ceremony ?? null,
    };
  }

  /** A new flow, or the same one with another method: its challenge kept with it. */
  async function started(
    token: string,
    flow: Awaited<ReturnType<typeof load>>,
    auth: AuthenticatedSession,
    origin: RequestOrigin,
  ): Promise<StepUpView> {
    const challenge = await begin(auth, flow.id, flow.data.channel, origin);
    if (!challenge.ceremony) return view(token, flow, auth);
    const saved = await d.flows.save(flow, {
      state: 'pending',
      data: { ...flow.data, challenge },
    });
    return view(token, saved, auth);
  }

  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<StepUpData>(d.flows, token, FLOW_KIND, auth.session.id);

  /** The answer to the flow's challenge, by whatever factor it is: the session rotated. */
  async function answer(
    auth: AuthenticatedSession,
    token: string,
    given: Answer,
    origin: RequestOrigin,
  ): Promise<Rotated> {
    const flow = await load(auth, token);
    const factor = d.factors.get(flow.data.channel);
    // A passkey is answered with an assertion, a code with a code: anything else is out of step.
    if (!answerFits(factor.method, given)) throw new AppError('FLOW_STATE_CONFLICT');
    const done = async () => {
      await d.flows.save(flow, { state: 'done', data: flow.data });
      // Done: a code sent before the user chose another method stops counting (or working).
      await d.codes.revoke({ flowId: flow.id, purpose: 'step_up' });
    };
    // A ceremony held in the flow is consumed before the answer is looked at (S15).
    const held = flow.data.challenge?.ceremony !== undefined;
    if (held) await done();
    const factors = await d.holdings(auth.account.id);
    const proof = await factor.verify({
      ...contextOf(auth, factors, flow.id, origin),
      answer: given,
      challenge: flow.data.challenge ?? {},
      purpose: 'step_up',
    });
    if (!held) await done();
    return d.units.transaction(async () => {
      const rotated = await d.sessions.rotate(auth.session, {
        stepUpAt: proof.at,
        amr: proof.amr,
      });
      await d.audit.record({
        action: 'step_up.succeeded',
        actorId: auth.account.id,
        targetId: auth.account.id,
        origin,
        details: {
          channel: proof.method,
          ...(proof.userVerified === undefined ? {} : { userVerified: proof.userVerified }),
        },
      });
      return rotated;
    });
  }

  const windowEnd = (policy: Policy, session: Session) =>
    session.step_up_at === null ? null : session.step_up_at + policy.stepUpWindowMs;

  /**
   * Until when changes are allowed: a step-up's window; or, when nothing is enrolled that the
   * policy lets vouch (strong-mfa before any second factor), the sign-in itself while it is as
   * fresh as a step-up would be.
   */
  async function freshUntil(auth: AuthenticatedSession): Promise<number | null> {
    const { policy, allowed } = await standing(auth.account);
    const until = windowEnd(policy, auth.session);
    if (until !== null && until > clock.now()) return until;
    if (allowed.length === 0) return auth.session.created_at + policy.stepUpWindowMs;
    return until;
  }

  const methods = async (account: Account) => (await standing(account)).allowed;

  return {
    methods,
    validUntil: async (session) =>
      windowEnd(await d.policies.forAccount(session.account_id), session),

    async start(auth, channel, origin) {
      const { token, flow } = await d.flows.create<'pending' | 'done', StepUpData>({
        kind: FLOW_KIND,
        state: 'pending',
        accountId: auth.account.id,
        data: { sessionId: auth.session.id, channel },
        ttlMs: FLOW_TTL_MS,
      });
      return started(token, flow, auth, origin);
    },

    async resend(auth, token, channel, origin) {
      const flow = await load(auth, token);
      const chosen = channel ?? flow.data.channel;
      const factors = await d.holdings(auth.account.id);
      // The account's cooldown for step-up codes (S10): checked before the flow changes.
      await d.factors.get(chosen).assertMayStart(contextOf(auth, factors, flow.id, origin));
      const data: StepUpData = { sessionId: flow.data.sessionId, channel: chosen };
      return started(token, await d.flows.save(flow, { state: 'pending', data }), auth, origin);
    },

    verify: (auth, token, code, origin) => answer(auth, token, { code }, origin),
    verifyPasskey: (auth, token, assertion, origin) => answer(auth, token, { assertion }, origin),

    freshUntil,

    async require(auth) {
      const until = await freshUntil(auth);
      if (until !== null && until > clock.now()) return;
      const available = await methods(auth.account);
      throw new AppError('STEP_UP_REQUIRED', { details: { methods: available.join(',') } });
    },
  };
}
