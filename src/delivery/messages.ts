/**
 * The words of every message we send. The code is the only secret in any of them (S21), and
 * the wording follows seed 000: "Your <Portal> verification code is: … If you didn't initiate
 * this request, contact Customer Service."
 */
import type { OutgoingMessage } from './sender.js';

function validity(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} seconds`;
  return `${Math.round(s / 60)} minutes`;
}

export function emailVerificationCode(
  portal: string,
  to: string,
  code: string,
  validForMs: number,
): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `Your ${portal} verification code`,
    text:
      `Your ${portal} verification code is: ${code}\n\n` +
      `It is valid for ${validity(validForMs)}. If you didn't initiate this request, contact Customer Service.`,
  };
}

/** Seed 000's words for a code, for a password reset; the code is the only secret in it. */
export function passwordResetCode(
  portal: string,
  to: string,
  code: string,
  validForMs: number,
): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `Reset your ${portal} password`,
    text:
      `Your ${portal} verification code is: ${code}\n\n` +
      `Enter it to choose a new password. It is valid for ${validity(validForMs)}. ` +
      `If you didn't ask to reset your password, ignore this message: your password has not changed. ` +
      `If you keep getting these, contact Customer Service.`,
  };
}

export function signUpAttemptForExistingAccount(
  portal: string,
  to: string,
  signInUrl: string,
): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `${portal}: someone tried to create an account with your email`,
    text:
      `Someone tried to create a ${portal} account with this email address, but you already have one.\n\n` +
      `If it was you, sign in at ${signInUrl} instead. If it was not you, you can ignore this message: your account has not changed.`,
  };
}

export function invitation(
  portal: string,
  to: string,
  link: string,
  validForMs: number,
): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `You are invited to ${portal}`,
    text:
      `You have been invited to ${portal}. Open this link to set your password:\n\n${link}\n\n` +
      `The link is valid for ${validity(validForMs)} and works once. If you did not expect it, ignore this message.`,
  };
}

export { validity as describeValidity };

/** S21: every change to how someone signs in is told to them, with no secret in the message. */
export function securityNotice(portal: string, to: string, change: string): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `${portal}: your sign-in details changed`,
    text:
      `${change}\n\n` +
      `If you made this change, there is nothing more to do. If you did not, contact Customer Service right away.`,
  };
}

/** An administrator asks the user to set a new password, the usual way (seed 000's reset). */
export function passwordResetAsked(portal: string, to: string, link: string): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `Set a new ${portal} password`,
    text:
      `Your administrator asked you to set a new password for your ${portal} account.\n\n` +
      `Open ${link} and follow "Forgot your password?": a code is sent to this address.\n\n` +
      `Your current password keeps working until you set a new one. Your administrator never sees it.`,
  };
}

/**
 * To the old address once the account's email changed (S21): the new one masked, never in full,
 * so a reader of this mailbox who is not the owner learns no more than the domain.
 */
export function emailChangedNotice(portal: string, to: string, maskedNew: string): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `${portal}: your email address was changed`,
    text:
      `The email address of your ${portal} account was changed to ${maskedNew}. ` +
      `Sign-in codes and security notices now go there, not to this address.\n\n` +
      `If you made this change, there is nothing more to do. If this wasn't you, contact Customer Service right away: someone may have access to your account.`,
  };
}

/**
 * To an address that already belongs to an account, when another account asked to move to it
 * (S6): its owner is told here, and the person asking is answered as if a code had been sent.
 */
export function emailChangeToRegisteredAddress(portal: string, to: string): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `${portal}: this email address is already registered`,
    text:
      `Someone signed in to a ${portal} account asked to change its email address to this one. ` +
      `This address already belongs to a ${portal} account, so no code was sent and nothing changed.\n\n` +
      `If it was you, sign in with this address instead, or choose another address for the other account. If it was not you, you can ignore this message.`,
  };
}

/**
 * To an account whose organisation does not allow the way a password reset was asked for (S6:
 * the person asking is answered as for an unknown address; only the owner hears why).
 */
export function passwordResetWayNotAllowed(
  portal: string,
  to: string,
  asked: 'email' | 'recovery_code',
  allowed: readonly ('email' | 'recovery_code')[],
): OutgoingMessage {
  const how = allowed.includes('recovery_code')
    ? 'To reset it, choose your recovery code on the "Forgot your password?" page.'
    : allowed.includes('email')
      ? 'To reset it, choose a code sent to your email on the "Forgot your password?" page.'
      : 'To reset it, contact your administrator.';
  return {
    channel: 'email',
    to,
    subject: `Reset your ${portal} password`,
    text:
      `Someone asked to reset the password of your ${portal} account ` +
      `${asked === 'email' ? 'with a code sent to this address' : 'with a recovery code'}. ` +
      `Your organisation does not allow that way, so nothing was sent and your password has not changed. ${how}\n\n` +
      `If it was not you, you can ignore this message.`,
  };
}
