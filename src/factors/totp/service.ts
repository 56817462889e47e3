/**
 * The authenticator app on the account page and as a factor. Enrolment needs a step-up; a new
 * 160-bit secret is shown once (QR code and key) and saved only when a current code from the app
 * confirms it; until then it waits sealed in the session-bound enrolment flow. A confirmed secret
 * replaces any earlier one at once. Codes at sign-in and step-up are checked by verifier.ts.
 */
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { loadSessionFlow, type FlowStore, sessionFlow } from '../../store/flow-store.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import { assertMayAdd, mayRemoveNow } from '../../policy/factor-rules.js';
import type { PolicySource } from '../../policy/source.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Db, TotpFactor } from '../../store/schema.js';
import { changeFactor } from '../changed.js';
import type { TotpRepo } from './repo.js';
import { confirmTotp, totpKeyView, type TotpKeyView } from './enrol.js';
import { newTotpSecret } from './totp.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

/** Its table: pending until done (`sessionFlowTransitions`). */
export const totpEnrolmentFlow = sessionFlow('totp_enrolment');
const FLOW_KIND = totpEnrolmentFlow.kind;
const FLOW_TTL_MS = 15 * 60_000;

interface EnrolmentData {
  sessionId: string;
  keyId: string;
  ciphertext: string;
}

export interface TotpEnrolmentView extends TotpKeyView {
  flow: string;
  expiresAt: number;
}

export interface TotpServiceDeps {
  units: UnitOfWork;
  db: Db;
  clock: Clock;
  box: SecretBox;
  totps: TotpRepo;
  flows: FlowStore;
  stepUp: FreshVerification;
  throttle: Throttle;
  audit: AuditLog;
  policies: PolicySource;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface TotpService {
  start(auth: AuthenticatedSession): Promise<TotpEnrolmentView>;
  confirm(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<TotpFactor>;
  remove(auth: AuthenticatedSession, origin: RequestOrigin): Promise<void>;
}

const enrolmentAad = (sessionId: string) => `totp-enrolment:${sessionId}`;

export function createTotpService(d: TotpServiceDeps): TotpService {
  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<EnrolmentData>(d.flows, token, FLOW_KIND, auth.session.id);

  return {
    async start(auth) {
      await assertMayAdd(d.policies, auth.account.id, 'totp');
      await d.stepUp.require(auth);
      const secret = newTotpSecret();
      const sealed = d.box.seal(secret, enrolmentAad(auth.session.id));
      const { token, flow } = await d.flows.create({
        kind: FLOW_KIND,
        state: 'pending' as const,
        accountId: auth.account.id,
        data: { sessionId: auth.session.id, ...sealed } satisfies EnrolmentData,
        ttlMs: FLOW_TTL_MS,
      });
      return {
        flow: token,
        ...(await totpKeyView(secret, d.portalName, auth.account.email)),
        expiresAt: flow.expiresAt,
      };
    },

    async confirm(auth, token, code, origin) {
      // The step-up must still hold when the new factor is saved, not only when it was shown.
      await d.stepUp.require(auth);
      const flow = await load(auth, token);
      const secret = d.box.open(flow.data, enrolmentAad(auth.session.id));
      return confirmTotp(d, auth.account, secret, code, origin, () =>
        d.flows.save(flow, { state: 'done', data: flow.data }),
      );
    },

    async remove(auth, origin) {
      await d.stepUp.require(auth);
      const totp = await d.totps.find(auth.account.id);
      if (!totp) throw new AppError('TOTP_NOT_FOUND');
      if (!(await mayRemoveNow(d, auth.account, 'totp'))) throw new AppError('FACTOR_REQUIRED');
      await changeFactor(
        d,
        auth.account,
        origin,
        () => d.totps.remove(auth.account.id),
        () => ({
          action: 'factor.totp_removed',
          notice: 'The authenticator app was removed from your account. Its codes no longer work.',
        }),
      );
    },
  };
}
