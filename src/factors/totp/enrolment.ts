/**
 * Adding the authenticator app inside sign-in (enrol_totp): a new key each time the step is
 * entered, kept sealed in the flow (bound to it) and shown as a QR code and text until a current
 * code from the app confirms it (`enrol.ts`: counted, S5; the flow claimed once the code is right).
 */
import type { Sealed, SecretBox } from '../../crypto/secret-box.js';
import { AppError } from '../../errors/app-error.js';
import { isObject, type Enrolment, type EnrolmentDescriptor } from '../enrolment.js';
import { confirmTotp, totpKeyView, type TotpConfirmDeps, type TotpKeyView } from './enrol.js';
import { newTotpSecret } from './totp.js';

/** The new app key, sealed, until a code from the app confirms it. */
export interface TotpSignInSteps {
  enrol_totp: { pendingTotp: Sealed };
}
export type TotpEnrolmentView = { totp: TotpKeyView | null };
export const noTotpEnrolmentView: TotpEnrolmentView = { totp: null };

export const totpEnrolment: EnrolmentDescriptor<TotpSignInSteps> = {
  factor: 'totp',
  order: ['enrol_totp'],
  steps: { enrol_totp: { fits: (raw) => isObject(raw.pendingTotp) } },
};

/** Binds a sealed new app key to its flow. */
const totpAad = (flowId: string) => `sign-in-totp:${flowId}`;

export interface TotpEnrolmentDeps extends TotpConfirmDeps {
  box: SecretBox;
  portalName: string;
}

export function createTotpEnrolment(deps: TotpEnrolmentDeps): Enrolment {
  const keyOf = (kept: object, flowId: string) =>
    deps.box.open((kept as TotpSignInSteps['enrol_totp']).pendingTotp, totpAad(flowId));
  return {
    descriptor: totpEnrolment,
    enter: async (_step, { flowId }) => ({
      pendingTotp: deps.box.seal(newTotpSecret(), totpAad(flowId)),
    }),
    show: async (_step, kept, { account, flowId }) => ({
      totp: await totpKeyView(keyOf(kept, flowId), deps.portalName, account.email),
    }),
    async answer({ kept, answer, account, flowId, origin, claim }) {
      if (!('code' in answer)) throw new AppError('FLOW_STATE_CONFLICT');
      // Claimed (the key taken out) once the code is right and before the key is saved: once.
      await confirmTotp(deps, account, keyOf(kept, flowId), answer.code, origin, claim);
      return { added: true };
    },
  };
}
