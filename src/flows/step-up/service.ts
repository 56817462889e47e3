/**
 * Step-up (S20): before a change to email, phone, password or factors, the signed-in user
 * proves themselves again with a factor they *already* have — a passkey, a code from their
 * authenticator app, or a code sent to their verified phone or (where the policy allows it)
 * email. The flow is bound to the session that asked; success rotates the session token (S17)
 * and records the time, which routes that change factors require to be within the policy's
 * window (5 minutes by default). A passkey's ceremony is answered once (S15).
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { maskEmail } from '../../accounts/email.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors/app-error.js';
import type {
  ChallengeView,
  Challenges,
  CodeChannel,
  CodeTarget,
} from '../../factors/otp-code/challenge.js';
import type { CodeService } from '../../factors/otp-code/codes.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import {
  heldPasskeyCeremony,
  liveChallenge,
  type AuthenticationCeremony,
} from '../../factors/passkey/ceremony.js';
import type { PasskeyRepo } from '../../factors/passkey/repo.js';
import type { PasskeyVerifier } from '../../factors/passkey/verifier.js';
import { maskPhone } from '../../factors/phone/numbers.js';
import type { PhoneRepo } from '../../factors/phone/repo.js';
import type { Policy } from '../../policy/presets.js';
import type { PolicySource } from '../../policy/source.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import type { AuthenticatedSession, SessionService } from '../../sessions/sessions.js';
import type { Account, Session } from '../../store/schema.js';
import { checkCode } from '../../factors/counted-check.js';
import { loadSessionFlow, type FlowStore, sessionFlow } from '../../store/flow-store.js';
import type { TotpRepo } from '../../factors/totp/repo.js';
import type { TotpVerifier } from '../../factors/totp/verifier.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import { amrOfMethod, heldMethods, isCodeMethod, passkeyAmr } from '../../factors/methods.js';

/** A way to step up: a passkey, a code from the authenticator app, or a code sent over a channel. */
export type StepUpMethod = 'passkey' | 'totp' | CodeChannel;

/** Its table: pending until done (`sessionFlowTransitions`). */
export const stepUpFlow = sessionFlow('step_up');
const FLOW_KIND = stepUpFlow.kind;
const FLOW_TTL_MS = 10 * 60_000;

export interface StepUpView {
  flow: string;
  /** The method of this step-up. */
  method: StepUpMethod;
  /** Masked phone or email the code went to; null for the authenticator app and a passkey. */
  destination: string | null;
  /** Every method the user may switch to, the strongest first. */
  channels: StepUpMethod[];
  code: ChallengeView | null;
  /** With a passkey: the options for navigator.credentials.get. */
  passkey: AuthenticationCeremony | null;
}

interface StepUpData {
  sessionId: string;
  channel: StepUpMethod;
  /** With a passkey: the ceremony, answered once. */
  passkeyRequest?: AuthenticationCeremony;
}

export interface StepUpDeps {
  clock: Clock;
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  sessions: SessionService;
  throttle: Throttle;
  phones: PhoneRepo;
  totps: TotpRepo;
  totp: TotpVerifier;
  passkeys: PasskeyRepo;
  passkey: PasskeyVerifier;
  rp: RelyingPartyConfig;
  audit: AuditLog;
  /** The account's policy, read at every use (its organisation's override, an admin's change). */
  policies: PolicySource;
}

export interface StepUpService extends FreshVerification {
  /** The methods this user may step up with, the strongest first. */
  methods(account: Account): Promise<StepUpMethod[]>;
  start(
    auth: AuthenticatedSession,
    channel: StepUpMethod,
    origin: RequestOrigin,
  ): Promise<StepUpView>;
  resend(
    auth: AuthenticatedSession,
    token: string,
    channel: StepUpMethod | undefined,
    origin: RequestOrigin,
  ): Promise<StepUpView>;
  verify(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<{ token: string; session: Session }>;
  /** The answer to the flow's passkey ceremony. */
  verifyPasskey(
    auth: AuthenticatedSession,
    token: string,
    response: AuthenticationResponseJSON,
    origin: RequestOrigin,
  ): Promise<{ token: string; session: Session }>;
  freshUntil(auth: AuthenticatedSession): Promise<number | null>;
  /** Until when the session's last step-up lets it make changes (the account's policy's window). */
  validUntil(session: Session): Promise<number | null>;
}

export function createStepUpService(d: StepUpDeps): StepUpService {
  const { clock } = d;

  /** What may vouch for a change under `policy`: held factors it allows, then email if it allows. */
  async function methodsUnder(policy: Policy, account: Account): Promise<StepUpMethod[]> {
    return heldMethods(await d.holdings(account.id), {
      allowed: policy.factors,
      recoveryCode: false,
      email: policy.emailStepUp && account.email_verified_at !== null,
    }) as StepUpMethod[];
  }

  const methods = async (account: Account) =>
    methodsUnder(await d.policies.forAccount(account.id), account);

  /** Where a step-up code over `channel` goes: the account's phone, or its email. */
  async function targetOf(auth: AuthenticatedSession, channel: CodeChannel): Promise<CodeTarget> {
    const phone = channel === 'email' ? undefined : await d.phones.find(auth.account.id);
    return phone
      ? { channel, to: phone.e164, country: phone.country }
      : { channel, to: auth.account.email };
  }

  /**
   * Checks the method is the user's; sends the code unless it comes from the app; for a passkey,
   * returns a new ceremony for the account's usable passkeys.
   */
  async function send(
    auth: AuthenticatedSession,
    flowId: string,
    channel: StepUpMethod,
    origin: RequestOrigin,
  ): Promise<AuthenticationCeremony | undefined> {
    const policy = await d.policies.forAccount(auth.account.id);
    const allowed = await methodsUnder(policy, auth.account);
    if (!allowed.includes(channel)) throw new AppError('METHOD_NOT_AVAILABLE');
    if (channel === 'totp') return undefined;
    if (channel === 'passkey') {
      return heldPasskeyCeremony(d, auth.account.id);
    }
    await d.challenges.send({
      binding: { flowId, purpose: 'step_up' },
      target: await targetOf(auth, channel),
      pace: { accountChanges: auth.account.id },
      accountId: auth.account.id,
      ip: origin.ip,
      alternatives: allowed.filter(isCodeMethod),
      length: policy.codeLength,
    });
    await d.audit.record({
      action: 'code.sent',
      actorId: auth.account.id,
      targetId: auth.account.id,
      origin,
      details: { channel, purpose: 'step_up' },
    });
    return undefined;
  }

  async function view(
    token: string,
    flow: { id: string; data: StepUpData },
    auth: AuthenticatedSession,
  ): Promise<StepUpView> {
    const channel = flow.data.channel;
    const flowId = flow.id;
    const policy = await d.policies.forAccount(auth.account.id);
    const base = {
      flow: token,
      method: channel,
      channels: await methodsUnder(policy, auth.account),
      passkey: null,
    };
    if (channel === 'totp') return { ...base, destination: null, code: null };
    if (channel === 'passkey')
      return { ...base, destination: null, code: null, passkey: flow.data.passkeyRequest ?? null };
    const phone = channel === 'email' ? undefined : await d.phones.find(auth.account.id);
    return {
      ...base,
      destination: phone ? maskPhone(phone.e164) : maskEmail(auth.account.email),
      code: await d.challenges.view({ flowId, purpose: 'step_up' }, channel, policy.codeLength),
    };
  }

  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<StepUpData>(d.flows, token, FLOW_KIND, auth.session.id);

  const windowEnd = (policy: Policy, session: Session) =>
    session.step_up_at === null ? null : session.step_up_at + policy.stepUpWindowMs;

  /**
   * Until when changes are allowed: a step-up's window; or, when nothing is enrolled that the
   * policy lets vouch (strong-mfa before any second factor), the sign-in itself while it is as
   * fresh as a step-up would be.
   */
  async function freshUntil(auth: AuthenticatedSession): Promise<number | null> {
    const policy = await d.policies.forAccount(auth.account.id);
    const until = windowEnd(policy, auth.session);
    if (until !== null && until > clock.now()) return until;
    if ((await methodsUnder(policy, auth.account)).length === 0)
      return auth.session.created_at + policy.stepUpWindowMs;
    return until;
  }

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
      const passkeyRequest = await send(auth, flow.id, channel, origin);
      if (!passkeyRequest) return view(token, flow, auth);
      const saved = await d.flows.save(flow, {
        state: 'pending',
        data: { ...flow.data, passkeyRequest },
      });
      return view(token, saved, auth);
    },

    async resend(auth, token, channel, origin) {
      const flow = await load(auth, token);
      const chosen = channel ?? flow.data.channel;
      // The account's cooldown for step-up codes (S10): checked before the flow changes.
      if (chosen !== 'totp' && chosen !== 'passkey')
        await d.challenges.assertMaySend({
          binding: { flowId: flow.id, purpose: 'step_up' },
          target: await targetOf(auth, chosen),
          pace: { accountChanges: auth.account.id },
        });
      const data: StepUpData = { sessionId: flow.data.sessionId, channel: chosen };
      const saved = await d.flows.save(flow, { state: 'pending', data });
      const passkeyRequest = await send(auth, saved.id, chosen, origin);
      if (!passkeyRequest) return view(token, saved, auth);
      const withRequest = await d.flows.save(saved, {
        state: 'pending',
        data: { ...data, passkeyRequest },
      });
      return view(token, withRequest, auth);
    },

    async verifyPasskey(auth, token, response, origin) {
      const flow = await load(auth, token);
      if (flow.data.channel !== 'passkey') throw new AppError('FLOW_STATE_CONFLICT');
      // Consumed before the answer is looked at: a challenge is answered once (S15).
      await d.flows.save(flow, { state: 'done', data: flow.data });
      await d.codes.revoke({ flowId: flow.id, purpose: 'step_up' });
      const challenge = liveChallenge(flow.data.passkeyRequest, clock.now());
      const { proof } = await d.passkey.verify({
        accountId: auth.account.id,
        response,
        challenge,
        purpose: 'step_up',
        origin,
      });
      const rotated = await d.sessions.rotate(auth.session, {
        stepUpAt: proof.at,
        amr: passkeyAmr(proof),
      });
      await d.audit.record({
        action: 'step_up.succeeded',
        actorId: auth.account.id,
        targetId: auth.account.id,
        origin,
        details: { channel: 'passkey', userVerified: proof.userVerified },
      });
      return rotated;
    },

    async verify(auth, token, code, origin) {
      const flow = await load(auth, token);
      const method = flow.data.channel;
      // A passkey is answered with an assertion (verifyPasskey), never with a code.
      if (method === 'passkey') throw new AppError('FLOW_STATE_CONFLICT');
      if (method === 'totp') {
        await d.totp.verify({ accountId: auth.account.id, code, purpose: 'step_up', origin });
      } else {
        await checkCode(d, {
          binding: { flowId: flow.id, purpose: 'step_up' },
          code,
          accountId: auth.account.id,
          origin,
        });
      }
      await d.flows.save(flow, { state: 'done', data: flow.data });
      // Done: a code sent before the user chose another method stops counting (or working).
      await d.codes.revoke({ flowId: flow.id, purpose: 'step_up' });
      const now = clock.now();
      if (method === 'sms' || method === 'voice') await d.phones.touch(auth.account.id, now);
      const rotated = await d.sessions.rotate(auth.session, {
        stepUpAt: now,
        amr: [amrOfMethod(method, now)],
      });
      await d.audit.record({
        action: 'step_up.succeeded',
        actorId: auth.account.id,
        targetId: auth.account.id,
        origin,
        details: { channel: flow.data.channel },
      });
      return rotated;
    },

    freshUntil,

    async require(auth) {
      const until = await freshUntil(auth);
      if (until !== null && until > clock.now()) return;
      const available = await methods(auth.account);
      throw new AppError('STEP_UP_REQUIRED', { details: { methods: available.join(',') } });
    },
  };
}
