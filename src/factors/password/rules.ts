/**
 * Password rules (S2, S3), as NIST SP 800-63B asks: length 12..128 code points after NFKC, no
 * composition rules, no truncation or case folding of what is stored, and a block-list of
 * common passwords (zxcvbn-ts's 49k list, bundled) and context words (service, portal, email).
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../../errors/app-error.js';

export const PASSWORD_MAX_LENGTH = 128;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** NFKC, as S2 asks; the result is what gets hashed and compared. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export interface PasswordContext {
  minLength: number;
  email?: string;
  portalName: string;
}

function contextWords(ctx: PasswordContext): string[] {
  const words = ['portcullis', ctx.portalName.toLowerCase().replace(/\s+/g, '')];
  if (ctx.email) {
    const [local = '', domain = ''] = ctx.email.toLowerCase().split('@');
    words.push(local, domain.split('.')[0] ?? '');
  }
  return words.filter((w) => w.length >= 4);
}

function looksCommon(lower: string): boolean {
  const list = commonPasswords();
  if (list.has(lower)) return true;
  // A common password with digits or symbols stuck on either end ("baseball2024!").
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (core.length >= 4 && list.has(core)) return true;
  // One short unit repeated ("passwordpassword", "abcabcabcabc").
  const repeated = /^(.+?)\1+$/.exec(lower);
  if (repeated && (repeated[1]!.length < 4 || list.has(repeated[1]!))) return true;
  return new Set(lower).size < 4;
}

/** Throws an AppError the user can act on, or returns the normalised password. */
export function checkPassword(password: string, ctx: PasswordContext): string {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < ctx.minLength) {
    throw new AppError('PASSWORD_TOO_SHORT', {
      message: `Use at least ${ctx.minLength} characters (you have ${length}). A few unrelated words make a strong, memorable password.`,
      details: { minLength: ctx.minLength },
    });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new AppError('PASSWORD_TOO_LONG', {
      message: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
      details: { maxLength: PASSWORD_MAX_LENGTH },
    });
  }
  const lower = normalized.toLowerCase();
  if (looksCommon(lower)) {
    throw new AppError('PASSWORD_TOO_COMMON', {
      message:
        'This password is on a list of commonly used passwords, so it is easy to guess. Choose something less predictable.',
    });
  }
  const compact = lower.replace(/[\s\W_]+/g, '');
  const word = contextWords(ctx).find(
    (w) => lower.includes(w) || compact.includes(w.replace(/[\W_]+/g, '')),
  );
  if (word) {
    throw new AppError('PASSWORD_HAS_CONTEXT', {
      message:
        'The password must not contain your email address, your name from it, or the portal name.',
    });
  }
  return normalized;
}
