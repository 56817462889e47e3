/**
 * Changing the account's email while signed in (issue 6; S6, S20, S21): after a fresh step-up the
 * user gives the new address, a code goes *to it*, and only that code changes the account's
 * email (which is then verified). The old address is told, with the new one masked.
 *
 * A persisted flow of its own (`email_change`), bound to the session that started it:
 *
 *   pending ──resend──► pending
 *   pending ──confirm─► done
 *
 * every move a versioned write the flow store checks against that table (`sessionFlow`), so of
 * two concurrent confirms one wins, and a confirmed flow is never written again.
 *
 * An address that already belongs to another account is never revealed to the person asking
 * (S6). The answer to `start` (and to `resend`) is the same whether or not the address is free:
 * a code is issued for the flow either way (same length, validity, tries, resend cooldown) and
 * one email goes to the new address either way, from the outbox after the answer (so neither its
 * time nor a mail server failure tells anything). For a free address that email holds the code;
 * for a taken one it tells the address's owner that someone asked to move to it, with no code.
 * So only the owner of the mailbox ever learns the address is registered, which sign-up already
 * tells them. `confirm` on such a flow counts every try exactly like a wrong code (the code was
 * never sent, and it is checked in a form that can never match), so tries, exhaustion and expiry
 * answer alike. When the address is taken between the code and the confirmation (a sign-up meanwhile),
 * the unique index refuses the update and the answer is EMAIL_UNAVAILABLE: it comes only after
 * the right code, that is to the mailbox's owner.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { emailChangedNotice, emailChangeToRegisteredAddress } from '../delivery/messages.js';
import type { Outbox } from '../delivery/outbox.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import { countAgainstLimit } from '../delivery/spend-guard.js';
import type { CounterStore } from '../store/counters.js';
import { AppError } from '../errors/app-error.js';
import type { ChallengeView, Challenges } from '../factors/otp-code/challenge.js';
import type { CodeBinding, CodeService } from '../factors/otp-code/codes.js';
import { checkCode } from '../factors/counted-check.js';
import {
  loadSessionFlow,
  type FlowStore,
  type SessionFlowState,
  type StoredFlow,
  sessionFlow,
} from '../store/flow-store.js';
import type { FreshVerification } from '../sessions/fresh.js';
import type { AuthenticatedSession } from '../sessions/sessions.js';
import { isUniqueViolation } from '../store/dialect.js';
import { maskEmail, parseNewEmail } from './email.js';
import type { Throttle } from './throttle.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountRepo } from './repo.js';

/** Its table (the store checks every write): pending until done (`sessionFlowTransitions`). */
export const emailChangeFlow = sessionFlow('email_change');
const FLOW_KIND = emailChangeFlow.kind;
const FLOW_TTL_MS = 15 * 60_000;
const HOUR = 60 * 60_000;

/** Emails (codes or notices) one account may have sent for email changes per hour. */
export const EMAIL_CHANGE_LIMITS = { perAccountPerHour: 10 };

interface EmailChangeData {
  sessionId: string;
  /** The new address as the user should see it, and its unique key. */
  email: string;
  normalized: string;
  /** The address belongs to another account: its owner was told instead; nothing confirms. */
  taken: boolean;
}

type EmailChangeFlow = StoredFlow<SessionFlowState, EmailChangeData>;

export interface EmailChangeView {
  flow: string;
  /** The new address, masked (`*****@example.com`). */
  destination: string;
  code: ChallengeView | null;
}

export interface EmailChangeDeps {
  units: UnitOfWork;
  accounts: AccountRepo;
  clock: Clock;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  stepUp: FreshVerification;
  throttle: Throttle;
  audit: AuditLog;
  outbox: Outbox;
  counters: CounterStore;
  notify: (message: OutgoingMessage) => Promise<void>;
  settings: { portalName: string };
}

export interface EmailChangeService {
  start(
    auth: AuthenticatedSession,
    newEmail: string,
    origin: RequestOrigin,
  ): Promise<EmailChangeView>;
  resend(
    auth: AuthenticatedSession,
    token: string,
    origin: RequestOrigin,
  ): Promise<EmailChangeView>;
  /** The code from the new address: the account's email is now that address, verified. */
  confirm(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<{ address: string; verified: true }>;
}

export function createEmailChange(d: EmailChangeDeps): EmailChangeService {
  const binding = (flowId: string): CodeBinding => ({ flowId, purpose: 'verify_email' });

  /**
   * A versioned write along the session table, which the flow store checks (one table, one
   * check: a copy here could never refuse what the store lets through).
   */
  const move = (flow: EmailChangeFlow, next: SessionFlowState): Promise<EmailChangeFlow> =>
    d.flows.save(flow, { state: next, data: flow.data });

  /** The same work and the same answer for a free and a taken address (see the header). */
  async function send(
    auth: AuthenticatedSession,
    flowId: string,
    data: EmailChangeData,
    origin: RequestOrigin,
  ) {
    await countAgainstLimit(
      d.counters,
      {
        key: `email-change:${auth.account.id}`,
        windowMs: HOUR,
        max: EMAIL_CHANGE_LIMITS.perAccountPerHour,
        why: 'email-change limit',
      },
      d.clock.now(),
    );
    if (!data.taken) {
      await d.challenges.send({
        binding: binding(flowId),
        target: { channel: 'email', to: data.email },
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
      return;
    }
    // A code for the flow, as `challenges.send` issues one, that is never sent anywhere.
    const rules = await d.challenges.rules(auth.account.id);
    await d.codes.issue({
      ...binding(flowId),
      accountId: auth.account.id,
      channel: 'email',
      destination: data.email,
      length: rules.length,
      validityMs: rules.validityMs.email,
    });
    // To the holder's own address (the one typed may be a lookalike of it, `ⅴic@` for `vic@`),
    // after the answer, as the code to a free address is (S6).
    const holder = await d.accounts.byEmailKey(data.normalized);
    await d.outbox.enqueue(
      emailChangeToRegisteredAddress(d.settings.portalName, holder?.email ?? data.email),
    );
    await d.audit.record({
      action: 'account.email_change_refused',
      actorId: auth.account.id,
      targetId: auth.account.id,
      origin,
      details: { reason: 'address_in_use' },
    });
  }

  const view = async (token: string, flow: EmailChangeFlow): Promise<EmailChangeView> => ({
    flow: token,
    destination: maskEmail(flow.data.email),
    code: await d.challenges.view(
      binding(flow.id),
      'email',
      (await d.challenges.rules(flow.accountId)).length,
    ),
  });

  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<EmailChangeData>(d.flows, token, FLOW_KIND, auth.session.id);

  return {
    async start(auth, newEmail, origin) {
      await d.stepUp.require(auth);
      const parsed = parseNewEmail(newEmail);
      if (parsed.normalized === auth.account.email_normalized)
        throw new AppError('EMAIL_UNCHANGED');
      const holder = await d.accounts.byEmailKey(parsed.normalized);
      const { token, flow } = await d.flows.create<SessionFlowState, EmailChangeData>({
        kind: FLOW_KIND,
        state: 'pending',
        accountId: auth.account.id,
        data: {
          sessionId: auth.session.id,
          email: parsed.display,
          normalized: parsed.normalized,
          taken: holder !== undefined,
        },
        ttlMs: FLOW_TTL_MS,
      });
      await send(auth, flow.id, flow.data, origin);
      return view(token, flow);
    },

    async resend(auth, token, origin) {
      const flow = await load(auth, token);
      await d.challenges.assertMaySend({
        binding: binding(flow.id),
        target: { channel: 'email', to: flow.data.email },
      });
      // Claims the flow's version first, so a double-clicked resend sends once.
      const claimed = await move(flow, 'pending');
      await send(auth, claimed.id, claimed.data, origin);
      return view(token, claimed);
    },

    async confirm(auth, token, code, origin) {
      const flow = await load(auth, token);
      const account = auth.account;
      await checkCode(d, {
        binding: binding(flow.id),
        // A taken address's code was never sent: checked in a form no code has, every try counts
        // as a wrong one (the same tries left, the same exhaustion) and nothing ever confirms.
        code: flow.data.taken ? `never:${code}` : code,
        accountId: account.id,
        origin,
      });
      await move(flow, 'done');
      const now = d.clock.now();
      const masked = maskEmail(flow.data.email);
      try {
        // The new address, its audit event and the notice to the old one commit together (S32).
        await d.units.transaction(async () => {
          const to = { email: flow.data.email, key: flow.data.normalized };
          // Another change of this account's email finished first: this one is stale.
          if (!(await d.accounts.changeEmail(account.id, to, account.email_normalized, now)))
            throw new AppError('FLOW_STATE_CONFLICT');
          await d.audit.record({
            action: 'account.email_changed',
            actorId: account.id,
            targetId: account.id,
            origin,
          });
          await d.notify(emailChangedNotice(d.settings.portalName, account.email, masked));
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Taken since the code was sent; only the mailbox's owner (who entered its code) hears it.
        await d.audit.record({
          action: 'account.email_change_refused',
          actorId: account.id,
          targetId: account.id,
          origin,
          details: { reason: 'address_in_use' },
        });
        throw new AppError('EMAIL_UNAVAILABLE');
      }
      return { address: masked, verified: true };
    },
  };
}
