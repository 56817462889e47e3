/**
 * The one place a session's assurance level is read from what it has proven (its `amr`, RFC
 * 8176 names). Sign-in and step-up both call it, so the level always follows the methods used:
 *
 * - Each method proves one kind of factor: `pwd` something known; `otp` (the authenticator
 *   app), `sms`/`tel` (a phone), `hwk`/`swk` (a passkey) and `recovery_code` (a saved secret)
 *   something held; `user` the user verified by the passkey's device (PIN or biometric), which
 *   counts only alongside the passkey that reported it.
 * - `email` proves an inbox, never a factor (S9: an email code never makes a session AAL2), and so
 *   does nothing for the level, however many times it is used.
 * - AAL2 takes two distinct kinds: the password and any held factor, or a passkey with user
 *   verification (multi-factor in one device). Two of the same kind (the same factor twice, or a
 *   passkey without verification) stay AAL1.
 */
import type { Aal } from './sessions.js';

type FactorKind = 'known' | 'held' | 'device_verified';

const kindOf: Record<string, FactorKind> = {
  pwd: 'known',
  otp: 'held',
  sms: 'held',
  tel: 'held',
  hwk: 'held',
  swk: 'held',
  recovery_code: 'held',
  user: 'device_verified',
};

/** The level a session reaches with these methods. */
export function aalOf(amr: readonly { method: string }[]): Aal {
  const methods = new Set(amr.map((m) => m.method));
  const kinds = new Set<FactorKind>();
  for (const method of methods) {
    const kind = kindOf[method];
    if (kind) kinds.add(kind);
  }
  // A device's verification is a factor only with the passkey whose device verified.
  if (!methods.has('hwk') && !methods.has('swk')) kinds.delete('device_verified');
  return kinds.size >= 2 ? 'aal2' : 'aal1';
}
