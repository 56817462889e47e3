/**
 * Email addresses, compared as a person reads them. Enforces:
 * - a sane shape (an ASCII domain; a mailbox of at most 64 characters, no spaces or specials);
 * - the address shown and written to is kept as typed (trimmed, domain lower-cased: some
 *   servers treat the mailbox case-sensitively);
 * - the unique key (`normalized`) is the mailbox under Unicode compatibility normalisation and
 *   case folding (NFKC, full case folding, NFKC again — Unicode's NFKC_Casefold), so `ⅴic`
 *   (U+2174 SMALL ROMAN NUMERAL FIVE), `ｖic` (fullwidth) and `VIC` are one account with `vic`;
 * - a new address (sign-up, invitation, email change) is refused when its mailbox, once
 *   normalised, mixes scripts (`mixedScripts`) or holds invisible characters: `vіc` with a
 *   Cyrillic `і` looks like `vic` and is not the same mailbox. Lookups (sign-in, reset) only
 *   normalise, so an account stored before this rule still signs in.
 */
import { AppError } from '../errors/app-error.js';

const shape =
  /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export interface ParsedEmail {
  /** As the user should see it: trimmed, domain lower-cased. */
  display: string;
  /** The unique key: the mailbox NFKC-case-folded, the domain lower-cased. */
  normalized: string;
}

/** NFKC_Casefold: compatibility forms and case differences read alike. */
export function foldMailbox(mailbox: string): string {
  return mailbox.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** For lookups: the shape checked, the key normalised (no script rule: old accounts still match). */
export function parseEmail(input: string): ParsedEmail {
  const trimmed = input.trim();
  if (!shape.test(trimmed)) throw new AppError('INVALID_EMAIL');
  const at = trimmed.lastIndexOf('@');
  const domain = trimmed.slice(at + 1).toLowerCase();
  const normalized = `${foldMailbox(trimmed.slice(0, at))}@${domain}`;
  // Folding can make characters the shape refuses (a fullwidth ＠ becomes @): not an address.
  if (!shape.test(normalized)) throw new AppError('INVALID_EMAIL');
  return { display: `${trimmed.slice(0, at)}@${domain}`, normalized };
}

/** The key an address is found by, or null when it is not an address at all. */
export function lookupKey(input: string): string | null {
  try {
    return parseEmail(input).normalized;
  } catch {
    return null;
  }
}

/**
 * Scripts whose letters a reader takes for one another or for Latin; any other script counts as
 * one more ("other"). Common characters (digits 0–9, `.`, `_`, `-`, `+`) and combining marks go
 * with any script.
 */
const scripts = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Cherokee',
  'Coptic',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Canadian_Aboriginal',
  'Tifinagh',
  'Nko',
  'Vai',
  'Yi',
  'Lisu',
  'Runic',
  'Ogham',
  'Han',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Hangul',
] as const;
type Script = (typeof scripts)[number] | 'other';

const scriptTests = scripts.map((s) => [s, new RegExp(`^\\p{Script=${s}}$`, 'u')] as const);
const neutral = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const counted = /^[\p{L}\p{N}]$/u;

/** Unicode's "Highly Restrictive" level lets Latin join the scripts of Japanese, Chinese, Korean. */
const allowedMixes: ReadonlySet<Script>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptOf(ch: string): Script | null {
  if (!counted.test(ch) || neutral.test(ch)) return null;
  return scriptTests.find(([, re]) => re.test(ch))?.[0] ?? 'other';
}

/** Whether a (normalised) mailbox's letters and digits come from more than one script. */
export function mixedScripts(mailbox: string): boolean {
  const found = new Set<Script>();
  for (const ch of mailbox) {
    const script = scriptOf(ch);
    if (script) found.add(script);
  }
  if (found.size <= 1) return false;
  return !allowedMixes.some((mix) => [...found].every((s) => mix.has(s)));
}

/** Controls, format characters (zero-width joiners, direction marks), private use, unassigned. */
const invisible = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u;

/** For an address being registered: `parseEmail`, then the mailbox must read unambiguously. */
export function parseNewEmail(input: string): ParsedEmail {
  const parsed = parseEmail(input);
  const mailbox = parsed.normalized.slice(0, parsed.normalized.lastIndexOf('@'));
  if (invisible.test(mailbox) || mixedScripts(mailbox)) {
    throw new AppError('INVALID_EMAIL', {
      message:
        'This email address mixes letters from different alphabets (such as Latin and Cyrillic) or holds invisible characters. Type it again in one alphabet.',
      details: { field: 'email', reason: 'confusable' },
    });
  }
  return parsed;
}

/** `*****@example.com`, as seed 000's security page shows it: the domain, never the mailbox. */
export function maskEmail(email: string): string {
  return `*****@${email.slice(email.lastIndexOf('@') + 1)}`;
}
