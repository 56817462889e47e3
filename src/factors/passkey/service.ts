/**
 * Passkeys on the account page (S15, S20, S21). Adding one needs a step-up (a new passkey never
 * vouches for itself) that still holds when it is saved; the registration ceremony is bound to the
 * session that started it, answered once, within its timeout, with user verification, from an
 * expected origin, for our RP ID. A credential id already registered (to this or any account) is
 * refused. Renaming and removing need a step-up too; removing respects the policy's minimum and
 * takes effect at once (the next assertion finds no passkey). Adding and removing notify the user.
 */
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import { newId } from '../../crypto/random.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { loadSessionFlow, type FlowStore } from '../../flows/flow-store.js';
import type { StepUpService } from '../../flows/step-up/service.js';
import { mayRemove } from '../../policy/factors.js';
import type { Policy } from '../../policy/presets.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Db, Passkey } from '../../store/schema.js';
import { loadFactors } from '../account-factors.js';
import { factorChanged } from '../changed.js';
import {
  ALGORITHMS,
  liveChallenge,
  registrationCeremony,
  type RegistrationCeremony,
} from './ceremony.js';
import type { PasskeyRepo } from './repo.js';

const FLOW_KIND = 'passkey_registration';

interface RegistrationData extends RegistrationCeremony {
  sessionId: string;
}

export interface PasskeyRegistrationView extends RegistrationCeremony {
  flow: string;
}

export interface PasskeyServiceDeps {
  db: Db;
  clock: Clock;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  flows: FlowStore;
  stepUp: StepUpService;
  audit: AuditLog;
  policy: Policy;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface PasskeyService {
  list(accountId: string): Promise<Passkey[]>;
  /** Whether this passkey may be removed under the policy (a flagged one always may). */
  removable(accountId: string, passkey: Passkey): Promise<boolean>;
  start(auth: AuthenticatedSession): Promise<PasskeyRegistrationView>;
  finish(
    auth: AuthenticatedSession,
    input: { flow: string; name: string; response: RegistrationResponseJSON },
    origin: RequestOrigin,
  ): Promise<Passkey>;
  rename(
    auth: AuthenticatedSession,
    id: string,
    name: string,
    origin: RequestOrigin,
  ): Promise<Passkey>;
  remove(auth: AuthenticatedSession, id: string, origin: RequestOrigin): Promise<void>;
}

/** A passkey's name as shown: spaces collapsed and trimmed. */
export const cleanName = (name: string) => name.replace(/\s+/g, ' ').trim();

export function createPasskeyService(d: PasskeyServiceDeps): PasskeyService {
  const { clock, rp } = d;

  async function removable(accountId: string, passkey: Passkey): Promise<boolean> {
    if (passkey.flagged_at !== null) return true;
    const f = await loadFactors(d.db, accountId);
    return mayRemove(
      'passkey',
      { phone: f.phone ? 1 : 0, totp: f.totp ? 1 : 0, passkey: f.passkeys },
      d.policy,
    );
  }

  return {
    list: (accountId) => d.passkeys.list(accountId),
    removable,

    async start(auth) {
      await d.stepUp.require(auth);
      const existing = await d.passkeys.list(auth.account.id);
      const ceremony = registrationCeremony(rp, clock.now(), {
        account: auth.account,
        existing,
      });
      const { token } = await d.flows.create({
        kind: FLOW_KIND,
        state: 'pending' as const,
        accountId: auth.account.id,
        data: { sessionId: auth.session.id, ...ceremony } satisfies RegistrationData,
        ttlMs: rp.timeoutMs,
      });
      return { flow: token, ...ceremony };
    },

    async finish(auth, { flow: token, name, response }, origin) {
      // The step-up must still hold when the passkey is saved, not only when it was started.
      await d.stepUp.require(auth);
      const flow = await loadSessionFlow<RegistrationData>(
        d.flows,
        token,
        FLOW_KIND,
        auth.session.id,
      );
      // Consumed before the response is looked at: a challenge is answered once (S15).
      await d.flows.save(flow, { state: 'done', data: flow.data });
      const challenge = liveChallenge(flow.data, clock.now());

      const refuse = async (result: string, error: AppError): Promise<never> => {
        await d.audit.record({
          action: 'factor.passkey_refused',
          actorId: auth.account.id,
          targetId: auth.account.id,
          origin,
          details: { result },
        });
        throw error;
      };
      let info;
      try {
        const verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origins,
          expectedRPID: rp.id,
          requireUserVerification: false, // checked below, for a clearer answer
          supportedAlgorithmIDs: ALGORITHMS,
        });
        if (!verified.verified) return await refuse('invalid', new AppError('PASSKEY_INVALID'));
        info = verified.registrationInfo;
      } catch (err) {
        const message = String(err instanceof Error ? err.message : err);
        return refuse(
          'invalid',
          new AppError('PASSKEY_INVALID', {
            cause: new Error(message.replace(/"[^"]*"/g, '"…"')),
          }),
        );
      }
      if (!info.userVerified)
        return refuse('user_not_verified', new AppError('PASSKEY_USER_NOT_VERIFIED'));

      const now = clock.now();
      let saved: Passkey;
      try {
        saved = await d.passkeys.insert({
          id: newId(),
          accountId: auth.account.id,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? response.response.transports ?? [],
          name: cleanName(name),
          aaguid: info.aaguid,
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
          createdAt: now,
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'PASSKEY_ALREADY_REGISTERED')
          return refuse('already_registered', err);
        throw err;
      }
      await factorChanged(
        d,
        auth.account,
        {
          action: 'factor.passkey_added',
          notice: `A passkey ("${saved.name}") was added to your account. It can sign you in without a password.`,
        },
        origin,
      );
      return saved;
    },

    async rename(auth, id, name, origin) {
      await d.stepUp.require(auth);
      const renamed = await d.passkeys.rename(auth.account.id, id, cleanName(name));
      if (!renamed) throw new AppError('PASSKEY_NOT_FOUND');
      await d.audit.record({
        action: 'factor.passkey_renamed',
        actorId: auth.account.id,
        targetId: auth.account.id,
        origin,
      });
      return renamed;
    },

    async remove(auth, id, origin) {
      await d.stepUp.require(auth);
      const passkey = await d.passkeys.find(auth.account.id, id);
      if (!passkey) throw new AppError('PASSKEY_NOT_FOUND');
      if (!(await removable(auth.account.id, passkey))) throw new AppError('FACTOR_REQUIRED');
      if (!(await d.passkeys.remove(auth.account.id, id))) throw new AppError('PASSKEY_NOT_FOUND');
      await factorChanged(
        d,
        auth.account,
        {
          action: 'factor.passkey_removed',
          notice: `The passkey "${passkey.name}" was removed from your account. It can no longer sign you in.`,
        },
        origin,
      );
    },
  };
}
