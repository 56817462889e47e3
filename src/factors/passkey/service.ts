/**
 * Passkeys on the account page (S15, S20, S21). Adding one needs a step-up (a new passkey never
 * vouches for itself) that still holds when it is saved; the registration ceremony is bound to the
 * session that started it, answered once, within its timeout, with user verification, from an
 * expected origin, for our RP ID. A credential id already registered (to this or any account) is
 * refused. Renaming and removing need a step-up too; removing respects the policy's minimum and
 * takes effect at once (the next assertion finds no passkey). Adding and removing notify the user.
 */
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { loadSessionFlow, type FlowStore, sessionFlow } from '../../store/flow-store.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import { assertMayAdd, mayRemoveNow } from '../../policy/factor-rules.js';
import type { PolicySource } from '../../policy/source.js';
import type { AuthenticatedSession } from '../../sessions/sessions.js';
import type { Account, Db, Passkey } from '../../store/schema.js';
import { changeFactor } from '../changed.js';
import { registrationCeremony, type RegistrationCeremony } from './ceremony.js';
import type { PasskeyRepo } from './repo.js';
import { cleanName, registerPasskey } from './register.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

/** Its table: pending until done (`sessionFlowTransitions`). */
export const passkeyRegistrationFlow = sessionFlow('passkey_registration');
const FLOW_KIND = passkeyRegistrationFlow.kind;

interface RegistrationData extends RegistrationCeremony {
  sessionId: string;
}

export interface PasskeyRegistrationView extends RegistrationCeremony {
  flow: string;
}

export interface PasskeyServiceDeps {
  units: UnitOfWork;
  db: Db;
  clock: Clock;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  flows: FlowStore;
  stepUp: FreshVerification;
  audit: AuditLog;
  policies: PolicySource;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export interface PasskeyService {
  list(accountId: string): Promise<Passkey[]>;
  /** Whether this passkey may be removed under the account's policy (a flagged one always may). */
  removable(account: Account, passkey: Passkey): Promise<boolean>;
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

export function createPasskeyService(d: PasskeyServiceDeps): PasskeyService {
  const { clock, rp } = d;

  async function removable(account: Account, passkey: Passkey): Promise<boolean> {
    // A flagged passkey (its counter went backwards) is refused anyway and never counted.
    if (passkey.flagged_at !== null) return true;
    return mayRemoveNow(d, account, 'passkey');
  }

  return {
    list: (accountId) => d.passkeys.list(accountId),
    removable,

    async start(auth) {
      await assertMayAdd(d.policies, auth.account.id, 'passkey');
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
      return registerPasskey(d, auth.account, flow.data, { name, response }, origin);
    },

    async rename(auth, id, name, origin) {
      await d.stepUp.require(auth);
      // The new name and its audit event commit together (S25).
      return d.units.transaction(async () => {
        const renamed = await d.passkeys.rename(auth.account.id, id, cleanName(name));
        if (!renamed) throw new AppError('PASSKEY_NOT_FOUND');
        await d.audit.record({
          action: 'factor.passkey_renamed',
          actorId: auth.account.id,
          targetId: auth.account.id,
          origin,
        });
        return renamed;
      });
    },

    async remove(auth, id, origin) {
      await d.stepUp.require(auth);
      const passkey = await d.passkeys.find(auth.account.id, id);
      if (!passkey) throw new AppError('PASSKEY_NOT_FOUND');
      if (!(await removable(auth.account, passkey))) throw new AppError('FACTOR_REQUIRED');
      await changeFactor(
        d,
        auth.account,
        origin,
        async () => {
          if (!(await d.passkeys.remove(auth.account.id, id)))
            throw new AppError('PASSKEY_NOT_FOUND');
        },
        () => ({
          action: 'factor.passkey_removed',
          notice: `The passkey "${passkey.name}" was removed from your account. It can no longer sign you in.`,
        }),
      );
    },
  };
}
