/**
 * WebAuthn ceremonies (S15): the options sent to the browser, with a challenge of 32 bytes from
 * the CSPRNG, kept server-side in the flow that asked for them and valid until the ceremony's
 * timeout. The flow holding them is moved on (a versioned write) before a response is verified,
 * so each challenge is answered at most once. Registration asks for a discoverable credential
 * with user verification and excludes the account's existing passkeys.
 */
import { randomBytes } from 'node:crypto';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../clock.js';
import type { Account, Passkey } from '../../store/schema.js';
import type { PasskeyRepo } from './repo.js';

/** 256 bits; the WebAuthn spec asks for at least 16 bytes. */
export const CHALLENGE_BYTES = 32;
/** ES256, EdDSA, RS256 (COSE ids): what platform authenticators and security keys use. */
export const ALGORITHMS = [-7, -8, -257];

export interface CredentialDescriptor {
  id: string;
  type: 'public-key';
  transports: string[];
}

/** PublicKeyCredentialRequestOptionsJSON, as sent (navigator.credentials.get). */
export interface RequestOptions {
  challenge: string;
  rpId: string;
  timeout: number;
  userVerification: 'required' | 'preferred';
  allowCredentials?: CredentialDescriptor[];
}

/** PublicKeyCredentialCreationOptionsJSON, as sent (navigator.credentials.create). */
export interface CreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { alg: number; type: 'public-key' }[];
  timeout: number;
  attestation: 'none';
  excludeCredentials: CredentialDescriptor[];
  authenticatorSelection: {
    residentKey: 'required';
    requireResidentKey: boolean;
    userVerification: 'required';
  };
  extensions: { credProps: boolean };
  hints: string[];
}

export interface AuthenticationCeremony {
  options: RequestOptions;
  expiresAt: number;
}

export interface RegistrationCeremony {
  options: CreationOptions;
  expiresAt: number;
}

const challenge = () => randomBytes(CHALLENGE_BYTES).toString('base64url');

/** The WebAuthn user handle of an account: its id, never the email. */
export const userHandleOf = (accountId: string) =>
  Buffer.from(accountId, 'utf8').toString('base64url');

const descriptor = (p: Passkey): CredentialDescriptor => ({
  id: p.credential_id,
  type: 'public-key',
  transports: JSON.parse(p.transports) as string[],
});

/**
 * Options for signing in or verifying with a passkey. `allow` lists the account's passkeys (a
 * second factor or step-up); absent, any discoverable passkey of this RP may answer (password-less).
 */
export function authenticationCeremony(
  rp: RelyingPartyConfig,
  now: number,
  input: { allow?: Passkey[]; userVerification: 'required' | 'preferred' },
): AuthenticationCeremony {
  return {
    options: {
      challenge: challenge(),
      rpId: rp.id,
      timeout: rp.timeoutMs,
      userVerification: input.userVerification,
      ...(input.allow ? { allowCredentials: input.allow.map(descriptor) } : {}),
    },
    expiresAt: now + rp.timeoutMs,
  };
}

/** Options for adding a passkey to `account`: resident key and user verification required. */
export function registrationCeremony(
  rp: RelyingPartyConfig,
  now: number,
  input: { account: Pick<Account, 'id' | 'email'>; existing: Passkey[] },
): RegistrationCeremony {
  return {
    options: {
      challenge: challenge(),
      rp: { id: rp.id, name: rp.name },
      user: {
        id: userHandleOf(input.account.id),
        name: input.account.email,
        displayName: input.account.email,
      },
      pubKeyCredParams: ALGORITHMS.map((alg) => ({ alg, type: 'public-key' as const })),
      timeout: rp.timeoutMs,
      attestation: 'none',
      excludeCredentials: input.existing.map(descriptor),
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
      extensions: { credProps: true },
      hints: [],
    },
    expiresAt: now + rp.timeoutMs,
  };
}

/** The challenge of a ceremony still within its timeout; CEREMONY_EXPIRED otherwise. */
export function liveChallenge(
  ceremony: { options: { challenge: string }; expiresAt: number } | undefined,
  now: number,
): string {
  if (!ceremony || ceremony.expiresAt <= now) throw new AppError('CEREMONY_EXPIRED');
  return ceremony.options.challenge;
}

/**
 * A ceremony for a passkey as the proof of someone already named (the second factor, a step-up,
 * a recovery code's confirmation): any of the account's usable passkeys may answer (a flagged
 * one may not), user verification preferred.
 */
export async function heldPasskeyCeremony(
  d: { passkeys: Pick<PasskeyRepo, 'list'>; rp: RelyingPartyConfig; clock: Clock },
  accountId: string,
): Promise<AuthenticationCeremony> {
  const allow = (await d.passkeys.list(accountId)).filter((p) => p.flagged_at === null);
  return authenticationCeremony(d.rp, d.clock.now(), { allow, userVerification: 'preferred' });
}
