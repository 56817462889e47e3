/**
 * Adding a passkey inside sign-in (enrol_passkey): a registration ceremony kept in the flow,
 * answered once (S15): taken out of the flow before its answer is looked at, then verified and
 * saved (`register.ts`). To try again, the page chooses the way again (a new ceremony).
 */
import { AppError } from '../../errors/app-error.js';
import { isObject, type Enrolment, type EnrolmentDescriptor } from '../enrolment.js';
import {
  registrationCeremony,
  type CreationOptions,
  type RegistrationCeremony,
} from './ceremony.js';
import { registerPasskey, type PasskeyRegistrationDeps } from './register.js';

/** The registration ceremony, until it is answered. */
export interface PasskeySignInSteps {
  enrol_passkey: { passkeyRegistration?: RegistrationCeremony };
}
export type PasskeyEnrolmentView = {
  passkeyRegistration: { options: CreationOptions; expiresAt: number } | null;
};
export const noPasskeyEnrolmentView: PasskeyEnrolmentView = { passkeyRegistration: null };

export const passkeyEnrolment: EnrolmentDescriptor<PasskeySignInSteps> = {
  factor: 'passkey',
  order: ['enrol_passkey'],
  steps: {
    enrol_passkey: {
      fits: (raw) => raw.passkeyRegistration === undefined || isObject(raw.passkeyRegistration),
    },
  },
};

const ceremonyOf = (kept: object) =>
  (kept as PasskeySignInSteps['enrol_passkey']).passkeyRegistration;

export function createPasskeyEnrolment(deps: PasskeyRegistrationDeps): Enrolment {
  return {
    descriptor: passkeyEnrolment,
    async enter(_step, { account }) {
      const existing = await deps.passkeys.list(account.id);
      const now = deps.clock.now();
      return { passkeyRegistration: registrationCeremony(deps.rp, now, { account, existing }) };
    },
    async show(_step, kept) {
      const ceremony = ceremonyOf(kept);
      return {
        passkeyRegistration: ceremony
          ? { options: ceremony.options, expiresAt: ceremony.expiresAt }
          : null,
      };
    },
    async answer({ kept, answer, account, origin, claim }) {
      if (!('response' in answer)) throw new AppError('FLOW_STATE_CONFLICT');
      const ceremony = ceremonyOf(kept);
      if (!ceremony) throw new AppError('CEREMONY_EXPIRED');
      await claim();
      await registerPasskey(deps, account, ceremony, answer, origin);
      return { added: true };
    },
  };
}
