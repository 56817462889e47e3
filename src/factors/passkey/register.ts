/**
 * Verifying a registration answer and saving the passkey: the one way a passkey is added, from
 * the account page (after a step-up) or at sign-in (to meet the policy's minimum). The caller has
 * already moved the flow holding the ceremony on (a versioned write), so the challenge is
 * answered once (S15); this checks the answer within its timeout, with user verification, from
 * an expected origin, for our RP ID, refuses a credential id already registered to any account,
 * then audits and notifies (S21).
 */
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import { newId } from '../../crypto/random.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import type { Account, Passkey } from '../../store/schema.js';
import { changeFactor } from '../changed.js';
import { ALGORITHMS, liveChallenge, type RegistrationCeremony } from './ceremony.js';
import type { PasskeyRepo } from './repo.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

export interface PasskeyRegistrationDeps {
  units: UnitOfWork;
  clock: Clock;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  audit: AuditLog;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

/** A passkey's name as shown: spaces collapsed and trimmed. */
export const cleanName = (name: string) => name.replace(/\s+/g, ' ').trim();

export async function registerPasskey(
  d: PasskeyRegistrationDeps,
  account: Pick<Account, 'id' | 'email'>,
  ceremony: RegistrationCeremony,
  input: { name: string; response: RegistrationResponseJSON },
  origin: RequestOrigin,
): Promise<Passkey> {
  const { clock, rp } = d;
  const challenge = liveChallenge(ceremony, clock.now());
  const refuse = async (result: string, error: AppError): Promise<never> => {
    await d.audit.record({
      action: 'factor.passkey_refused',
      actorId: account.id,
      targetId: account.id,
      origin,
      details: { result },
    });
    throw error;
  };
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response,
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
    // The unit rolls back as a whole when the credential is already registered.
    saved = await changeFactor(
      d,
      account,
      origin,
      () =>
        d.passkeys.insert({
          id: newId(),
          accountId: account.id,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? input.response.response.transports ?? [],
          name: cleanName(input.name),
          aaguid: info.aaguid,
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
          createdAt: now,
        }),
      (added) => ({
        action: 'factor.passkey_added',
        notice: `A passkey ("${added.name}") was added to your account. It can sign you in without a password.`,
      }),
    );
  } catch (err) {
    if (err instanceof AppError && err.code === 'PASSKEY_ALREADY_REGISTERED')
      return refuse('already_registered', err);
    throw err;
  }
  return saved;
}
