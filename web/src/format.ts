// Small, locale-aware formatting helpers shared by the pages.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '—' : dateTime.format(time);
}

export function formatDate(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '—' : dateOnly.format(time);
}

const utcDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone: 'UTC' });

/**
 * A policy's date ("March 7, 2025"): one set at midnight UTC names that calendar day everywhere,
 * not the evening before west of Greenwich.
 */
export function formatDay(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '—';
  return time % 86_400_000 === 0 ? utcDay.format(time) : dateOnly.format(time);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** "10 minutes", "60 seconds", "90 seconds" — whole minutes from two minutes up. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole >= 120 && whole % 60 === 0) return plural(whole / 60, 'minute');
  if (whole >= 3600) return plural(Math.ceil(whole / 60), 'minute');
  return plural(whole, 'second');
}

/** A ticking countdown, "9:05". */
export function formatClock(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

// Both the RFC 8176 `amr` values the server records and Portcullis's factor ids. The server
// records `otp` only for a code from the authenticator app (sent codes are `sms`, `tel`, `email`);
// a passkey is `hwk` (device-bound) or `swk` (synced), with `user` when the device verified you.
const methodNames: Record<string, string> = {
  pwd: 'Password',
  otp: 'Authenticator app',
  sms: 'Text message code',
  tel: 'Phone call code',
  email: 'Email code',
  hwk: 'Passkey on this device or a security key',
  swk: 'Passkey (synced)',
  user: 'Fingerprint, face or PIN',
  password: 'Password',
  email_code: 'Email code',
  sms_code: 'Text message code',
  voice_code: 'Voice call code',
  totp: 'Authenticator app',
  passkey: 'Passkey',
  recovery_code: 'Recovery code',
};

export function methodName(method: string): string {
  return methodNames[method] ?? method.replace(/_/g, ' ');
}

export function assuranceName(aal: string): string {
  if (aal === 'aal1') return 'AAL1 — single factor';
  if (aal === 'aal2') return 'AAL2 — multi-factor';
  return aal.toUpperCase();
}

export function roleName(role: string): string {
  return role === 'admin' ? 'Administrator' : role === 'user' ? 'User' : role;
}

const numberWords = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];

/** "six-digit", as the guides say it. */
export function digitsWord(length: number): string {
  return `${numberWords[length] ?? String(length)}-digit`;
}

/** "the United States" style country name for a hint; the code itself if unknown. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
