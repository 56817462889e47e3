/**
 * Phone numbers in, E.164 out (S11). Enforces:
 * - a number typed nationally takes the configured default country; `+…` and `00…` are
 *   international whatever the default; spaces, dashes, dots and parentheses are tolerated;
 * - nothing but a number: text around it, vanity letters and over-long input are refused;
 * - no extension (`ext. 12`, `x12`, `;ext=12`, `#12`): codes go to a direct number;
 * - only the countries the deployment allows (checked again before every send, S10);
 * - mobiles (and North American "fixed line or mobile") get texts and calls, landlines calls
 *   only; premium-rate, shared-cost, toll-free, VoIP, pager, UAN, voicemail, personal and
 *   unclassified numbers are refused — they cost money or cannot be tied to a person.
 */
import {
  isSupportedCountry,
  parsePhoneNumberWithError,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { AppError } from '../../errors/app-error.js';

export type PhoneKind = 'mobile' | 'landline';
export type PhoneChannel = 'sms' | 'voice';

export interface PhoneRules {
  /** ISO 3166 alpha-2, assumed for numbers typed without a country code. */
  defaultCountry: string;
  /** ISO 3166 alpha-2 countries whose numbers are accepted, or `*` for any. */
  allowedCountries: readonly string[] | '*';
}

export interface ParsedPhone {
  /** `+447546123456`: the only form numbers are stored and compared in. */
  e164: string;
  country: string;
  kind: PhoneKind;
  /** What the number can receive, in order of preference. */
  channels: PhoneChannel[];
}

/** Longer input is not a phone number (and is not worth parsing). */
const MAX_INPUT_LENGTH = 64;

/** Extension markers libphonenumber may fail to parse (e.g. `; ext=12` with a space). */
const EXTENSION_HINT = /(?:;\s*ext\s*=|\bext(?:ension|n)?\b|\d\s*x\s*\d|#\s*\d)/i;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** "France (FR)"; the code alone if the runtime has no name for it. */
export function countryLabel(country: string): string {
  let name: string | undefined;
  try {
    name = regionNames.of(country);
  } catch {
    name = undefined;
  }
  return name && name !== country ? `${name} (${country})` : country;
}

function isAllowed(country: string, allowed: PhoneRules['allowedCountries']): boolean {
  return allowed === '*' || allowed.some((c) => c.toUpperCase() === country);
}

function kindOf(phone: PhoneNumber): PhoneKind | undefined {
  switch (phone.getType()) {
    case 'MOBILE':
    case 'FIXED_LINE_OR_MOBILE':
      return 'mobile';
    case 'FIXED_LINE':
      return 'landline';
    default:
      return undefined;
  }
}

/** What a number of this kind can receive. */
export function channelsFor(kind: PhoneKind): PhoneChannel[] {
  return kind === 'mobile' ? ['sms', 'voice'] : ['voice'];
}

export function canReceive(kind: PhoneKind, channel: PhoneChannel): boolean {
  return channel === 'voice' || kind === 'mobile';
}

/** Parses what a person typed; throws `AppError` with a `PHONE_*` code when it cannot be used. */
export function parsePhone(input: string, rules: PhoneRules): ParsedPhone {
  // NFKC folds full-width digits and plus signs (typed on some keyboards) into ASCII.
  const text = input.normalize('NFKC').trim();
  if (text === '' || text.length > MAX_INPUT_LENGTH) throw new AppError('PHONE_INVALID');

  const fallback = rules.defaultCountry.toUpperCase();
  const defaultCountry = isSupportedCountry(fallback) ? (fallback as CountryCode) : undefined;
  let phone: PhoneNumber;
  try {
    // `extract: false`: the whole input must be the number, not text that contains one.
    phone = parsePhoneNumberWithError(text, { defaultCountry, extract: false });
  } catch {
    throw new AppError(EXTENSION_HINT.test(text) ? 'PHONE_EXTENSION_NOT_ALLOWED' : 'PHONE_INVALID');
  }
  if (phone.ext) throw new AppError('PHONE_EXTENSION_NOT_ALLOWED');
  if (!phone.isValid()) {
    throw new AppError(EXTENSION_HINT.test(text) ? 'PHONE_EXTENSION_NOT_ALLOWED' : 'PHONE_INVALID');
  }

  // Non-geographic numbers (+800, +882 …) have no country: none of them is a person's phone.
  const country = phone.country;
  if (!country) throw new AppError('PHONE_TYPE_NOT_SUPPORTED');
  // Country before type: "use a mobile" would mislead someone whose country is refused anyway.
  if (!isAllowed(country, rules.allowedCountries)) {
    throw new AppError('PHONE_COUNTRY_NOT_ALLOWED', {
      message: `Numbers from ${countryLabel(country)} are not accepted here.`,
      details: { country },
    });
  }
  const kind = kindOf(phone);
  if (!kind) throw new AppError('PHONE_TYPE_NOT_SUPPORTED');

  return { e164: phone.number, country, kind, channels: channelsFor(kind) };
}

/** `+447546123456` → `•••• ••• 456`: enough for the owner to recognise, nothing more. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return `•••• ••• ${digits.slice(-3)}`;
}

/** The E.164 number less its last four digits: numbers in one block share it (S10). */
export function phonePrefix(e164: string): string {
  return e164.slice(0, -4);
}
