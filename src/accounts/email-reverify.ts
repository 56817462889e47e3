/**
 * "Verify Email Address" on the security page (seed 000): a code goes to the account's own
 * address and, entered on the page, records that address as verified now. A session flow of its
 * own (`email_reverify`: pending → done, versioned writes), the email-code machinery of sign-in
 * and email change (`challenges`, `checkCode`), an hourly send limit per account, and audited.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { countAgainstLimit } from '../delivery/spend-guard.js';
import { AppError } from '../errors/app-error.js';
import { checkCode } from '../factors/counted-check.js';
import type { Challenges } from '../factors/otp-code/challenge.js';
import type { CodeBinding, CodeService } from '../factors/otp-code/codes.js';
import type { AuthenticatedSession } from '../sessions/sessions.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { CounterStore } from '../store/counters.js';
import {
  loadSessionFlow,
  sessionFlow,
  type FlowStore,
  type SessionFlowState,
  type StoredFlow,
} from '../store/flow-store.js';
import type { EmailChangeView } from './email-change.js';
import { maskEmail } from './email.js';
import type { AccountRepo } from './repo.js';
import type { Throttle } from './throttle.js';

export const emailReverifyFlow = sessionFlow('email_reverify');
const FLOW_TTL_MS = 15 * 60_000;
const HOUR = 60 * 60_000;

/** Codes one account may have sent to its own address per hour. */
export const EMAIL_REVERIFY_LIMITS = { perAccountPerHour: 10 };

interface ReverifyData {
  sessionId: string;
  /** The address the code went to: only it is recorded as verified. */
  normalized: string;
}

type ReverifyFlow = StoredFlow<SessionFlowState, ReverifyData>;

export interface EmailReverifyDeps {
  accounts: AccountRepo;
  clock: Clock;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  throttle: Throttle;
  audit: AuditLog;
  counters: CounterStore;
  units: UnitOfWork;
}

export interface EmailReverifyService {
  start(auth: AuthenticatedSession, origin: RequestOrigin): Promise<EmailChangeView>;
  resend(
    auth: AuthenticatedSession,
    token: string,
    origin: RequestOrigin,
  ): Promise<EmailChangeView>;
  confirm(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<{ address: string; verifiedAt: string }>;
}

export function createEmailReverify(d: EmailReverifyDeps): EmailReverifyService {
  const binding = (flowId: string): CodeBinding => ({ flowId, purpose: 'verify_email' });
  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<ReverifyData>(d.flows, token, emailReverifyFlow.kind, auth.session.id);

  async function send(auth: AuthenticatedSession, flowId: string, origin: RequestOrigin) {
    await countAgainstLimit(
      d.counters,
      {
        key: `email-reverify:${auth.account.id}`,
        windowMs: HOUR,
        max: EMAIL_REVERIFY_LIMITS.perAccountPerHour,
        why: 'email-reverify limit',
      },
      d.clock.now(),
    );
    await d.challenges.send({
      binding: binding(flowId),
      target: { channel: 'email', to: auth.account.email },
      accountId: auth.account.id,
      ip: origin.ip,
      alternatives: [],
      afterAnswer: true,
    });
    await d.audit.record({
      action: 'code.sent',
      actorId: auth.account.id,
      targetId: auth.account.id,
      origin,
      details: { channel: 'email', purpose: 'verify_email' },
    });
  }

  const view = async (token: string, flow: ReverifyFlow, email: string) => ({
    flow: token,
    destination: maskEmail(email),
    code: await d.challenges.view(
      binding(flow.id),
      'email',
      (await d.challenges.rules(flow.accountId)).length,
    ),
  });

  return {
    async start(auth, origin) {
      const { token, flow } = await d.flows.create<SessionFlowState, ReverifyData>({
        kind: emailReverifyFlow.kind,
        state: 'pending',
        accountId: auth.account.id,
        data: { sessionId: auth.session.id, normalized: auth.account.email_normalized },
        ttlMs: FLOW_TTL_MS,
      });
      await send(auth, flow.id, origin);
      return view(token, flow, auth.account.email);
    },

    async resend(auth, token, origin) {
      const flow = await load(auth, token);
      await d.challenges.assertMaySend({
        binding: binding(flow.id),
        target: { channel: 'email', to: auth.account.email },
      });
      // Claims the flow's version first, so a double-clicked resend sends once.
      const claimed = await d.flows.save(flow, { state: 'pending', data: flow.data });
      await send(auth, claimed.id, origin);
      return view(token, claimed, auth.account.email);
    },

    async confirm(auth, token, code, origin) {
      const flow = await load(auth, token);
      await checkCode(d, { binding: binding(flow.id), code, accountId: auth.account.id, origin });
      await d.flows.save(flow, { state: 'done', data: flow.data });
      const now = d.clock.now();
      await d.units.transaction(async () => {
        // The address changed since the code was sent: the code proved the old one, not this one.
        if (!(await d.accounts.reverifyEmail(auth.account.id, flow.data.normalized, now)))
          throw new AppError('FLOW_STATE_CONFLICT');
        await d.audit.record({
          action: 'account.email_verified',
          actorId: auth.account.id,
          targetId: auth.account.id,
          origin,
        });
      });
      return { address: maskEmail(auth.account.email), verifiedAt: new Date(now).toISOString() };
    },
  };
}
