/**
 * Starting a reset. Before the account is known only the deployment's policy answers (the ways
 * offered, the code's length): an account's own would tell an unknown address from a known one.
 * Limits count per IP and per address whether or not it has an account; a flow is created and,
 * for the email way, a code issued for both (S6).
 */
import { parseEmail } from '../../accounts/email.js';
import type { RequestOrigin } from '../../audit/audit.js';
import { passwordResetWayNotAllowed } from '../../delivery/messages.js';
import { AppError } from '../../errors/app-error.js';
import type { PasswordResetMethod } from '../../policy/presets.js';
import {
  activeAccount,
  FLOW_KIND,
  HOUR,
  RESET_LIMITS,
  type PasswordResetDeps,
  type ResetCore,
} from './core.js';
import type { createEmailStep } from './email-step.js';
import { firstState, type ResetData, type ResetFlowAt, type ResetStepAt } from './machine.js';
import type { ResetView } from './view.js';

const FLOW_TTL_MS = 15 * 60_000;

export function createResetStart(
  d: PasswordResetDeps,
  core: ResetCore,
  email: ReturnType<typeof createEmailStep>,
) {
  return async function start({
    email: typed,
    method,
    origin,
  }: {
    email: string;
    method: PasswordResetMethod;
    origin: RequestOrigin;
  }): Promise<ResetView> {
    const deployment = await d.policies.deployment();
    if (!deployment.passwordReset.includes(method)) throw new AppError('RESET_METHOD_NOT_ALLOWED');
    const parsed = parseEmail(typed);
    const key = core.emailKey(parsed.normalized);
    if (origin.ip)
      await core.hit(
        `reset-ip:${d.hasher.hash('ip', origin.ip)}`,
        10 * 60_000,
        RESET_LIMITS.perIpPer10Min,
      );
    await core.hit(`reset-email:${key}`, HOUR, RESET_LIMITS.perEmailPerHour);
    const found = await activeAccount(d.accounts.byEmailKey(parsed.normalized));
    // An organisation may allow fewer ways than the deployment (tighten.ts): say, the recovery
    // code only. Refusing such a member here would answer differently from an unknown address
    // (and tell who belongs to which organisation), so the reset goes on exactly as for an
    // address with no account: no account on the flow, a code issued that is sent nowhere, a
    // recovery code that never matches. The account's owner alone is told, by email after the
    // answer like the code itself, which ways their organisation allows. (One policy read on
    // either side, so the work is the same.)
    const own = found ? await d.policies.forAccount(found.id) : await d.policies.deployment();
    const acc = found && own.passwordReset.includes(method) ? found : undefined;
    const first: ResetStepAt<'email_code' | 'recovery_code'> = {
      state: firstState[method],
      data: { method, email: parsed.display, proofs: [], codeLength: deployment.codeLength },
    };
    const created = await d.flows.create<typeof first.state, ResetData>({
      kind: FLOW_KIND,
      ...first,
      accountId: acc?.id ?? null,
      ttlMs: FLOW_TTL_MS,
    });
    const { token } = created;
    const flow = created.flow as ResetFlowAt<'email_code' | 'recovery_code'>;
    if (flow.state === 'email_code') await email.issue(flow, acc);
    if (found && !acc) {
      const notice = passwordResetWayNotAllowed(
        d.settings.portalName,
        found.email,
        method,
        own.passwordReset,
      );
      await d.outbox.enqueue(notice);
    }
    await d.audit.record({
      action: 'password_reset.requested',
      targetId: found?.id ?? null,
      origin,
      details: { method, ...(found && !acc ? { refused: 'organisation_policy' } : {}) },
    });
    return core.present(token, flow, undefined);
  };
}
