/**
 * After a phone is saved (at sign-in or from the account page): the audit event, and the notices
 * of S21 — an email always, and a text or call to the old number when the number changed.
 */
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import { securityNotice } from '../../delivery/messages.js';
import { phoneChangedNotice } from '../../delivery/phone-messages.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import type { Account, Phone } from '../../store/schema.js';
import { maskPhone } from './numbers.js';
import type { NewPhone } from './repo.js';

export interface PhoneSavedDeps {
  audit: AuditLog;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export async function phoneSaved(
  d: PhoneSavedDeps,
  account: Pick<Account, 'id' | 'email'>,
  phone: NewPhone,
  previous: Phone | undefined,
  origin: RequestOrigin,
): Promise<void> {
  const changed = previous !== undefined && previous.e164 !== phone.e164;
  await d.audit.record({
    action: changed ? 'factor.phone_changed' : 'factor.phone_added',
    actorId: account.id,
    targetId: account.id,
    origin,
    details: { kind: phone.kind, country: phone.country },
  });
  const masked = maskPhone(phone.e164);
  if (changed) {
    const channel = previous.kind === 'mobile' ? 'sms' : 'voice';
    await d.notify(phoneChangedNotice(d.portalName, previous.e164, masked, channel));
    await d.notify(
      securityNotice(
        d.portalName,
        account.email,
        `The phone number on your account was changed from ${maskPhone(previous.e164)} to ${masked}.`,
      ),
    );
  } else {
    await d.notify(
      securityNotice(
        d.portalName,
        account.email,
        `The phone number ${masked} was added to your account and can now receive verification codes.`,
      ),
    );
  }
}
