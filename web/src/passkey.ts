// The browser's side of passkeys (WebAuthn), through @simplewebauthn/browser: it turns the
// server's JSON options into navigator.credentials calls and the answers back into JSON. Only
// one ceremony runs at a time: starting one cancels any other (the autofill request waiting in
// the email field, when the user clicks "Sign in with a passkey").
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { ApiError } from './api';
import type { Body } from './api-client';
import type { PasskeyCreationOptions, PasskeyRequestOptions } from './api-types';

/** A passkey used (AuthenticationResponseJSON), as the routes that take one declare it. */
export type PasskeyAssertion = Body<'/api/v1/sign-in/passkey', 'post'>['credential'];
/** A new passkey (RegistrationResponseJSON), as the routes that take one declare it. */
export type PasskeyAttestation = Body<'/api/v1/passkeys/finish', 'post'>['credential'];

/** The browser's answer as the JSON the API takes (its extension outputs: an object of any fields). */
function assertionJson(answer: AuthenticationResponseJSON): PasskeyAssertion {
  return { ...answer, clientExtensionResults: { ...answer.clientExtensionResults } };
}

function attestationJson(answer: RegistrationResponseJSON): PasskeyAttestation {
  return { ...answer, clientExtensionResults: { ...answer.clientExtensionResults } };
}

export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** Whether the browser offers passkeys in an input's autofill (conditional mediation). */
export function passkeyAutofillSupported(): Promise<boolean> {
  return browserSupportsWebAuthnAutofill();
}

/**
 * Asks the browser for a passkey. With `autofill`, the request waits quietly until the user
 * picks a passkey from the email field's suggestions (it never shows a dialog of its own).
 */
export function getPasskey(
  options: PasskeyRequestOptions,
  autofill = false,
): Promise<PasskeyAssertion> {
  return startAuthentication({
    optionsJSON: options as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: autofill,
  }).then(assertionJson);
}

/** Asks the browser to create a passkey for this account. */
export function createPasskey(options: PasskeyCreationOptions): Promise<PasskeyAttestation> {
  return startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON }).then(
    attestationJson,
  );
}

/** Stops a ceremony in progress (an autofill request, when the page goes away). */
export function cancelPasskeyRequest(): void {
  WebAuthnAbortService.cancelCeremony();
}

/** Cancelled by this page (another ceremony started, or the page went away): not a failure. */
export function isPasskeyAborted(error: unknown): boolean {
  return error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED';
}

/** A browser-side failure as a sentence for the page (server refusals carry their own). */
export function passkeyProblem(error: unknown): Error {
  if (!(error instanceof Error) || error instanceof ApiError) {
    return error instanceof Error ? error : new Error('Something went wrong. Please try again.');
  }
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return new Error('This device already has a passkey for your account. Use another device.');
  if (error.name === 'NotAllowedError' || error.name === 'AbortError')
    return new Error(
      'The passkey request was cancelled or timed out, or your device could not confirm it is you. Try again, or use another way.',
    );
  if (error instanceof WebAuthnError || error.name === 'SecurityError')
    return new Error('Your browser could not use a passkey here. Try another way.');
  return error;
}
