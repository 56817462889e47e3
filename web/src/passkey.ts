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
import type { PasskeyCreationOptions, PasskeyRequestOptions } from './api-types';

export type PasskeyAssertion = AuthenticationResponseJSON;
export type PasskeyAttestation = RegistrationResponseJSON;

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
  });
}

/** Asks the browser to create a passkey for this account. */
export function createPasskey(options: PasskeyCreationOptions): Promise<PasskeyAttestation> {
  return startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON });
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
