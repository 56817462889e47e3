/**
 * Checking a passkey assertion (S15), the same way everywhere: the credential must be known (and
 * the account's, when the account is known), not flagged, and its user handle the account's; the
 * signature, challenge, exact origin, RP ID hash, user presence and backup eligibility are checked
 * by @simplewebauthn/server; user verification where asked (password-less sign-in). The counter
 * is checked here, after the signature, so only the real key can flag its own credential: a
 * counter that did not move forward (WebAuthn's clone warning) flags the passkey, is audited, tells
 * the user, and is refused, as is every later use of it. A removed passkey is unknown at once.
 */
import {
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { AppError } from '../../errors/app-error.js';
import { countedCheck, Refused } from '../counted-check.js';
import type { Passkey } from '../../store/schema.js';
import { changeFactor } from '../changed.js';
import { userHandleOf } from './ceremony.js';
import type { PasskeyRepo } from './repo.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import type { AccountRepo } from '../../accounts/repo.js';

/** What a verified assertion proves, for the session's `amr` (RFC 8176). */
export interface PasskeyProof {
  at: number;
  /** `swk` for a passkey that may be synced (backup eligible), `hwk` for a device-bound one. */
  key: 'hwk' | 'swk';
  /** The authenticator verified the user (PIN, biometric): the `user` method, multi-factor. */
  userVerified: boolean;
}

export interface PasskeyUse {
  passkey: Passkey;
  proof: PasskeyProof;
}

export interface PasskeyVerifierDeps {
  units: UnitOfWork;
  accounts: AccountRepo;
  clock: Clock;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  throttle: Throttle;
  audit: AuditLog;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
  /** Where the clone warning is logged (operators' alerting). */
  log?: { warn(obj: object, msg: string): void };
}

export interface PasskeyVerifier {
  /**
   * Password-less sign-in: a passkey of any account, user verification required. Failures are
   * audited (`sign_in.failed`) but not counted against an account: an assertion cannot be
   * guessed, and a stranger must not be able to lock an account out by sending bad ones.
   */
  identify(input: {
    response: AuthenticationResponseJSON;
    challenge: string;
    origin: RequestOrigin;
  }): Promise<PasskeyUse>;
  /**
   * A passkey of `accountId` as a second factor or for a step-up (user verification recorded,
   * not required); counted like every second-factor secret (S5).
   */
  verify(input: {
    accountId: string;
    response: AuthenticationResponseJSON;
    challenge: string;
    /** What a failure's audit event records (`second_factor`, `step_up`). */
    purpose: string;
    origin: RequestOrigin;
    onFailure?: () => void;
  }): Promise<PasskeyUse>;
}

/** The library's reason without the values it quotes (challenges stay out of the logs). */
const reason = (err: unknown) =>
  new Error(String(err instanceof Error ? err.message : err).replace(/"[^"]*"/g, '"…"'));

export const passkeyKey = (p: Pick<Passkey, 'backup_eligible'>): PasskeyProof['key'] =>
  p.backup_eligible === 1 ? 'swk' : 'hwk';

export function createPasskeyVerifier(d: PasskeyVerifierDeps): PasskeyVerifier {
  const { clock, rp } = d;

  async function flagged(
    passkey: Passkey,
    counters: { stored: number; reported: number },
    origin: RequestOrigin,
  ): Promise<void> {
    const account = await d.accounts.byId(passkey.account_id);
    if (!account) return;
    const flaggedNow = await changeFactor(
      d,
      account,
      origin,
      () => d.passkeys.flag(passkey.id, clock.now()),
      (flaggedNow) =>
        flaggedNow
          ? {
              action: 'factor.passkey_flagged',
              notice: `The passkey "${passkey.name}" on your account was blocked: its signature counter went backwards, which can mean it was copied. Remove it on your account's security page and add it again.`,
            }
          : undefined,
    );
    if (!flaggedNow) return;
    d.log?.warn(
      { passkeyId: passkey.id, accountId: passkey.account_id, ...counters },
      'passkey signature counter did not move forward (possible clone): passkey flagged',
    );
  }

  async function check(
    response: AuthenticationResponseJSON,
    challenge: string,
    input: { owner?: string; requireUserVerification: boolean; origin: RequestOrigin },
  ): Promise<PasskeyUse | Refused> {
    const refused = (result: string, code: 'PASSKEY_INVALID' = 'PASSKEY_INVALID', cause?: Error) =>
      new Refused(result, new AppError(code, cause ? { cause } : {}));
    const passkey = await d.passkeys.byCredentialId(response.id);
    if (!passkey || (input.owner !== undefined && passkey.account_id !== input.owner))
      return refused('unknown_credential');
    if (passkey.flagged_at !== null) return new Refused('flagged', new AppError('PASSKEY_BLOCKED'));
    const handle = response.response.userHandle;
    if (handle && handle !== userHandleOf(passkey.account_id)) return refused('user_handle');

    let info;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        // The stored counter is compared below, once the signature is known to be good.
        credential: {
          id: passkey.credential_id,
          publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
          counter: 0,
        },
        requireUserVerification: false,
      });
      if (!result.verified) return refused('invalid');
      info = result.authenticationInfo;
    } catch (err) {
      return refused('invalid', 'PASSKEY_INVALID', reason(err));
    }
    // L3 §7.2: backup eligibility is fixed for a credential's life.
    if ((info.credentialDeviceType === 'multiDevice') !== (passkey.backup_eligible === 1))
      return refused('backup_eligibility_changed');
    if (input.requireUserVerification && !info.userVerified)
      return new Refused('user_not_verified', new AppError('PASSKEY_USER_NOT_VERIFIED'));

    const now = clock.now();
    if (!(await d.passkeys.accept(passkey.id, info.newCounter, info.credentialBackedUp, now))) {
      const current = await d.passkeys.byId(passkey.id);
      if (!current) return refused('unknown_credential'); // removed meanwhile
      if (current.flagged_at === null)
        await flagged(
          current,
          { stored: current.sign_count, reported: info.newCounter },
          input.origin,
        );
      return new Refused('counter_regressed', new AppError('PASSKEY_BLOCKED'));
    }
    return {
      passkey: { ...passkey, sign_count: info.newCounter, last_used_at: now },
      proof: { at: now, key: passkeyKey(passkey), userVerified: info.userVerified },
    };
  }

  return {
    async identify({ response, challenge, origin }) {
      const outcome = await check(response, challenge, { requireUserVerification: true, origin });
      if (outcome instanceof Refused) {
        const known = await d.passkeys.byCredentialId(response.id);
        await d.audit.record({
          action: 'sign_in.failed',
          targetId: known?.account_id ?? null,
          origin,
          details: { factor: 'passkey', result: outcome.result },
        });
        throw outcome.error;
      }
      return outcome;
    },

    verify({ accountId, response, challenge, purpose, origin, onFailure }) {
      const counted = { accountId, purpose, origin, ...(onFailure ? { onFailure } : {}) };
      return countedCheck(d, counted, () =>
        check(response, challenge, { owner: accountId, requireUserVerification: false, origin }),
      );
    },
  };
}
