/**
 * The phone on the account page (seed 000 "Account Management → Security → Change", seed 002
 * "My Details → Multi-factor Authentication → Update"): after a step-up with a factor the user
 * already has, a new number is confirmed by a code sent *to it* before it is saved; the old
 * number and the email are told of a change (S20, S21). Removal needs a step-up and is refused
 * when the phone is the second factor the policy requires.
 */
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { checkCode } from '../counted-check.js';
import { loadSessionFlow, type FlowStore, sessionFlow } from '../../store/flow-store.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import { assertMayAdd, mayRemoveNow } from '../../policy/factor-rules.js';
import type { PolicySource } from '../../policy/source.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Db } from '../../store/schema.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { ChallengeView, Challenges } from '../otp-code/challenge.js';
import type { CodeService } from '../otp-code/codes.js';
import {
  canReceive,
  channelsFor,
  maskPhone,
  parsePhone,
  type PhoneChannel,
  type PhoneRules,
} from './numbers.js';
import { changeFactor } from '../changed.js';
import type { NewPhone, PhoneRepo } from './repo.js';
import { savePhone } from './saved.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

/** Its table: pending until done (`sessionFlowTransitions`). */
export const phoneEnrolmentFlow = sessionFlow('phone_enrolment');
const FLOW_KIND = phoneEnrolmentFlow.kind;
const FLOW_TTL_MS = 15 * 60_000;

interface EnrolmentData {
  sessionId: string;
  phone: NewPhone;
  channel: PhoneChannel;
}

export interface EnrolmentView {
  flow: string;
  destination: string;
  channels: PhoneChannel[];
  code: ChallengeView | null;
}

export interface PhoneServiceDeps {
  units: UnitOfWork;
  db: Db;
  clock: Clock;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  phones: PhoneRepo;
  stepUp: FreshVerification;
  throttle: Throttle;
  audit: AuditLog;
  policies: PolicySource;
  phoneRules: PhoneRules;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface PhoneService {
  start(
    auth: AuthenticatedSession,
    input: { phone: string; channel: PhoneChannel },
    origin: RequestOrigin,
  ): Promise<EnrolmentView>;
  resend(
    auth: AuthenticatedSession,
    token: string,
    channel: PhoneChannel | undefined,
    origin: RequestOrigin,
  ): Promise<EnrolmentView>;
  confirm(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<void>;
  remove(auth: AuthenticatedSession, origin: RequestOrigin): Promise<void>;
}

export function createPhoneService(d: PhoneServiceDeps): PhoneService {
  /** Digits of the account's codes (its policy's `codeLength`). */
  const codeLength = async (accountId: string) =>
    (await d.policies.forAccount(accountId)).codeLength;

  async function send(
    auth: AuthenticatedSession,
    flowId: string,
    data: EnrolmentData,
    origin: RequestOrigin,
  ) {
    await d.challenges.send({
      binding: { flowId, purpose: 'confirm_phone' },
      target: { channel: data.channel, to: data.phone.e164, country: data.phone.country },
      // Every number tried from this account's sessions shares one cooldown (S10).
      pace: { accountChanges: auth.account.id },
      accountId: auth.account.id,
      ip: origin.ip,
      alternatives: channelsFor(data.phone.kind),
      length: await codeLength(auth.account.id),
    });
    await d.audit.record({
      action: 'code.sent',
      actorId: auth.account.id,
      targetId: auth.account.id,
      origin,
      details: { channel: data.channel, purpose: 'confirm_phone' },
    });
  }

  const view = async (
    auth: AuthenticatedSession,
    token: string,
    flowId: string,
    data: EnrolmentData,
  ): Promise<EnrolmentView> => ({
    flow: token,
    destination: maskPhone(data.phone.e164),
    channels: channelsFor(data.phone.kind),
    code: await d.challenges.view(
      { flowId, purpose: 'confirm_phone' },
      data.channel,
      await codeLength(auth.account.id),
    ),
  });

  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<EnrolmentData>(d.flows, token, FLOW_KIND, auth.session.id);

  return {
    async start(auth, input, origin) {
      await assertMayAdd(d.policies, auth.account.id, 'phone');
      await d.stepUp.require(auth);
      const parsed = parsePhone(input.phone, d.phoneRules);
      if (!canReceive(parsed.kind, input.channel)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const data: EnrolmentData = {
        sessionId: auth.session.id,
        phone: { e164: parsed.e164, country: parsed.country, kind: parsed.kind },
        channel: input.channel,
      };
      const { token, flow } = await d.flows.create({
        kind: FLOW_KIND,
        state: 'pending' as const,
        accountId: auth.account.id,
        data,
        ttlMs: FLOW_TTL_MS,
      });
      await send(auth, flow.id, data, origin);
      return view(auth, token, flow.id, data);
    },

    async resend(auth, token, channel, origin) {
      const flow = await load(auth, token);
      const chosen = channel ?? flow.data.channel;
      if (!canReceive(flow.data.phone.kind, chosen)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      await d.challenges.assertMaySend({
        binding: { flowId: flow.id, purpose: 'confirm_phone' },
        target: { channel: chosen, to: flow.data.phone.e164, country: flow.data.phone.country },
        pace: { accountChanges: auth.account.id },
      });
      const saved = await d.flows.save(flow, {
        state: 'pending',
        data: { ...flow.data, channel: chosen },
      });
      await send(auth, saved.id, saved.data, origin);
      return view(auth, token, saved.id, saved.data);
    },

    async confirm(auth, token, code, origin) {
      const flow = await load(auth, token);
      await checkCode(d, {
        binding: { flowId: flow.id, purpose: 'confirm_phone' },
        code,
        accountId: auth.account.id,
        origin,
      });
      await savePhone(d, auth.account, flow.data.phone, origin, () =>
        d.flows.save(flow, { state: 'done', data: flow.data }),
      );
    },

    async remove(auth, origin) {
      await d.stepUp.require(auth);
      const phone = await d.phones.find(auth.account.id);
      if (!phone) throw new AppError('PHONE_NOT_FOUND');
      if (!(await mayRemoveNow(d, auth.account, 'phone'))) throw new AppError('FACTOR_REQUIRED');
      await changeFactor(
        d,
        auth.account,
        origin,
        () => d.phones.remove(auth.account.id),
        () => ({
          action: 'factor.phone_removed',
          notice: `The phone number ${maskPhone(phone.e164)} was removed from your account.`,
        }),
      );
    },
  };
}
