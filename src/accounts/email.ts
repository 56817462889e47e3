/**
 * Email addresses: trimmed, the domain lower-cased (the local part is kept as typed, since some
 * servers treat it case-sensitively), checked for a sane shape. Uniqueness is on the
 * fully lower-cased form so "Ann@x.org" and "ann@x.org" cannot be two accounts.
 */
import { AppError } from '../errors/app-error.js';

const shape =
  /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export interface ParsedEmail {
  /** As the user should see it: trimmed, domain lower-cased. */
  display: string;
  /** The unique key. */
  normalized: string;
}

export function parseEmail(input: string): ParsedEmail {
  const trimmed = input.trim();
  if (!shape.test(trimmed)) throw new AppError('INVALID_EMAIL');
  const at = trimmed.lastIndexOf('@');
  const display = trimmed.slice(0, at) + '@' + trimmed.slice(at + 1).toLowerCase();
  return { display, normalized: display.toLowerCase() };
}

/** `*****@example.com`, as seed 000's security page shows it: the domain, never the mailbox. */
export function maskEmail(email: string): string {
  return `*****@${email.slice(email.lastIndexOf('@') + 1)}`;
}
