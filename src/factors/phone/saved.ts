/**
 * Saving a phone (at sign-in or from the account page), its audit event and the notices of S21 —
 * an email always, and a text or call to the old number when the number changed — in one unit of
 * work (S32): all commit together, and the notices go from the outbox after the answer.
 */
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { securityNotice } from '../../delivery/messages.js';
import { phoneChangedNotice } from '../../delivery/phone-messages.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import type { Account } from '../../store/schema.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import { maskPhone } from './numbers.js';
import type { NewPhone, PhoneRepo } from './repo.js';

export interface PhoneSavedDeps {
  audit: AuditLog;
  units: UnitOfWork;
  phones: PhoneRepo;
  clock: Clock;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

/**
 * `before` runs first in the same unit (the flow's versioned write that claims the step);
 * `setBy`: the administrator who entered the number (seed 002), the user confirming it by code.
 */
export function savePhone(
  d: PhoneSavedDeps,
  account: Pick<Account, 'id' | 'email'>,
  phone: NewPhone,
  origin: RequestOrigin,
  before?: () => Promise<unknown>,
  setBy?: string,
): Promise<void> {
  return d.units.transaction(async () => {
    await before?.();
    const previous = await d.phones.save(account.id, phone, d.clock.now());
    await announce(d, account, phone, previous, origin, setBy);
  });
}

async function announce(
  d: PhoneSavedDeps,
  account: Pick<Account, 'id' | 'email'>,
  phone: NewPhone,
  previous: Awaited<ReturnType<PhoneRepo['save']>>,
  origin: RequestOrigin,
  setBy: string | undefined,
): Promise<void> {
  const changed = previous !== undefined && previous.e164 !== phone.e164;
  const masked = maskPhone(phone.e164);
  await d.audit.record({
    action: changed ? 'factor.phone_changed' : 'factor.phone_added',
    actorId: account.id,
    targetId: account.id,
    origin,
    details: {
      kind: phone.kind,
      country: phone.country,
      ...(setBy === undefined ? {} : { setBy: 'administrator', administratorId: setBy, masked }),
    },
  });
  const byAdmin = setBy === undefined ? '' : ' Your administrator entered it and you confirmed it.';
  if (changed) {
    const channel = previous.kind === 'mobile' ? 'sms' : 'voice';
    await d.notify(phoneChangedNotice(d.portalName, previous.e164, masked, channel));
    await d.notify(
      securityNotice(
        d.portalName,
        account.email,
        `The phone number on your account was changed from ${maskPhone(previous.e164)} to ${masked}.${byAdmin}`,
      ),
    );
  } else {
    await d.notify(
      securityNotice(
        d.portalName,
        account.email,
        `The phone number ${masked} was added to your account and can now receive verification codes.${byAdmin}`,
      ),
    );
  }
}
