/**
 * The authenticator app on the account page and as a factor. Enrolment needs a step-up; a new
 * 160-bit secret is shown once (QR code and key) and saved only when a current code from the app
 * confirms it; until then it waits sealed in the session-bound enrolment flow. A confirmed secret
 * replaces any earlier one at once. Codes at sign-in and step-up are checked by verifier.ts.
 */
import QRCode from 'qrcode';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { countedCheck, Refused } from '../../flows/code-outcome.js';
import { loadSessionFlow, type FlowStore } from '../../flows/flow-store.js';
import type { StepUpService } from '../../flows/step-up/service.js';
import { mayRemove } from '../../policy/factors.js';
import type { Policy } from '../../policy/presets.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { TotpFactor } from '../../store/schema.js';
import { factorChanged } from '../changed.js';
import type { PasskeyRepo } from '../passkey/repo.js';
import type { PhoneRepo } from '../phone/repo.js';
import type { TotpRepo } from './repo.js';
import { base32Of, matchStep, newTotpSecret, otpauthUri } from './totp.js';
import { factorAad, wrongTotpCode } from './verifier.js';

const FLOW_KIND = 'totp_enrolment';
const FLOW_TTL_MS = 15 * 60_000;

interface EnrolmentData {
  sessionId: string;
  keyId: string;
  ciphertext: string;
}

export interface TotpEnrolmentView {
  flow: string;
  /** The key for manual entry (base32 in groups of four). Shown now and never again. */
  key: string;
  uri: string;
  /** The URI as a QR code, an SVG document. */
  qrSvg: string;
  expiresAt: number;
}

export interface TotpServiceDeps {
  clock: Clock;
  box: SecretBox;
  totps: TotpRepo;
  phones: PhoneRepo;
  passkeys: PasskeyRepo;
  flows: FlowStore;
  stepUp: StepUpService;
  throttle: Throttle;
  audit: AuditLog;
  policy: Policy;
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
  const { clock } = d;

  const load = (auth: AuthenticatedSession, token: string) =>
    loadSessionFlow<EnrolmentData>(d.flows, token, FLOW_KIND, auth.session.id);

  return {
    async start(auth) {
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
      const uri = otpauthUri(secret, d.portalName, auth.account.email);
      return {
        flow: token,
        key: base32Of(secret),
        uri,
        qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
        expiresAt: flow.expiresAt,
      };
    },

    async confirm(auth, token, code, origin) {
      // The step-up must still hold when the new factor is saved, not only when it was shown.
      await d.stepUp.require(auth);
      const flow = await load(auth, token);
      const secret = d.box.open(flow.data, enrolmentAad(auth.session.id));
      const now = clock.now();
      const step = await countedCheck(
        d,
        { accountId: auth.account.id, purpose: 'confirm_totp', origin },
        async () => matchStep(secret, code, now) ?? new Refused('invalid', wrongTotpCode()),
      );
      await d.flows.save(flow, { state: 'done', data: flow.data });
      const id = newId();
      const previous = await d.totps.save(
        auth.account.id,
        { id, ...d.box.seal(secret, factorAad(id)) },
        step, // the confirming code is spent: it cannot sign in too
        now,
      );
      await factorChanged(
        d,
        auth.account,
        previous
          ? {
              action: 'factor.totp_replaced',
              notice:
                'The authenticator app on your account was replaced. Codes from the old app no longer work.',
            }
          : {
              action: 'factor.totp_added',
              notice: 'An authenticator app was added to your account.',
            },
        origin,
      );
      const saved = await d.totps.find(auth.account.id);
      if (!saved) throw new Error('authenticator vanished after saving');
      return saved;
    },

    async remove(auth, origin) {
      await d.stepUp.require(auth);
      const totp = await d.totps.find(auth.account.id);
      if (!totp) throw new AppError('TOTP_NOT_FOUND');
      const [phone, passkeys] = await Promise.all([
        d.phones.find(auth.account.id),
        d.passkeys.usableCount(auth.account.id),
      ]);
      if (!mayRemove('totp', { totp: 1, phone: phone ? 1 : 0, passkey: passkeys }, d.policy))
        throw new AppError('FACTOR_REQUIRED');
      await d.totps.remove(auth.account.id);
      await factorChanged(
        d,
        auth.account,
        {
          action: 'factor.totp_removed',
          notice: 'The authenticator app was removed from your account. Its codes no longer work.',
        },
        origin,
      );
    },
  };
}
