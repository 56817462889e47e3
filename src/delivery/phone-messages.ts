/**
 * The words of every text message and call. Seed 000's wording ("Your <Portal> verification
 * code is: … If you didn't initiate this request, contact Customer Service."); the code is the
 * only secret in any of them (S21), and a notice to an old number carries no code at all.
 *
 * Texts stay in one SMS segment (160 GSM-7 characters) where the portal name allows: the
 * validity is mentioned only when it still fits, and nothing outside GSM-7 is added by us.
 */
import { describeValidity } from './messages.js';
import type { OutgoingMessage } from './sender.js';

/** GSM 03.38 basic set (one septet each) and its extension table (two septets each). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

/** Whether `text` goes out as a single SMS segment (160 GSM-7 septets or 70 UCS-2 units). */
export function fitsOneSegment(text: string): boolean {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else return text.length <= 70;
  }
  return septets <= 160;
}

const NOT_YOU = "If you didn't initiate this request, contact Customer Service.";

export function smsCode(
  portal: string,
  to: string,
  code: string,
  validForMs: number,
): OutgoingMessage {
  const lead = `Your ${portal} verification code is: ${code}.`;
  const withValidity = `${lead} Valid for ${describeValidity(validForMs)}. ${NOT_YOU}`;
  const text = fitsOneSegment(withValidity) ? withValidity : `${lead} ${NOT_YOU}`;
  return { channel: 'sms', to, text };
}

/** Read out by a text-to-speech voice: the digits are spaced with commas so each is heard. */
export function voiceCode(portal: string, to: string, code: string): OutgoingMessage {
  const spoken = [...code].join(', ');
  return { channel: 'voice', to, text: `Your ${portal} verification code is: ${spoken}.` };
}

/**
 * To the *old* number when the phone on an account changes. Only the last digits of the new
 * number appear (whatever is passed in), so a stolen account cannot learn the number from it.
 * A landline old number needs `channel: 'voice'`.
 */
export function phoneChangedNotice(
  portal: string,
  to: string,
  maskedNewNumber: string,
  channel: 'sms' | 'voice' = 'sms',
): OutgoingMessage {
  const digits = maskedNewNumber.replace(/\D/g, '').slice(-3);
  const ending = channel === 'voice' ? [...digits].join(', ') : digits;
  const change = digits
    ? `The phone number on your ${portal} account was changed to a number ending in ${ending}.`
    : `The phone number on your ${portal} account was changed.`;
  return {
    channel,
    to,
    text: `${change} If you didn't make this change, contact Customer Service.`,
  };
}
