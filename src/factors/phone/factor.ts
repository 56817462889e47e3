/**
 * The phone as a factor: a code by text message (`sms`) or by phone call (`tel`, RFC 8176), to
 * the account's verified number. A landline takes calls only. A right code records the phone's
 * last use (the security page shows it).
 */
import type { Account } from '../../store/schema.js';
import type { AccountFactors } from '../account-factors.js';
import { createCodeFactor, type CodeFactorDeps, type CodeMethod } from '../otp-code/code-factor.js';
import type { Factor } from '../factor.js';
import { canReceive, maskPhone, type PhoneChannel } from './numbers.js';
import type { PhoneRepo } from './repo.js';

function phoneMethod(id: PhoneChannel, amr: string): Omit<CodeMethod, 'passed'> {
  const reachable = (factors: AccountFactors) =>
    factors.phone && canReceive(factors.phone.kind, id) ? factors.phone : undefined;
  return {
    id,
    factor: 'phone',
    answer: 'code',
    sent: true,
    phishingResistant: false,
    raisesAal: true,
    fallback: false,
    spentByUse: false,
    amr,
    held: (factors) => reachable(factors) !== undefined,
    target: (_account: Account, factors) => {
      const phone = reachable(factors);
      return phone ? { channel: id, to: phone.e164, country: phone.country } : undefined;
    },
    masked: (_account, factors) => (factors.phone ? maskPhone(factors.phone.e164) : null),
  };
}

export const smsMethod = phoneMethod('sms', 'sms');
export const voiceMethod = phoneMethod('voice', 'tel');

export function createPhoneFactor(
  deps: CodeFactorDeps & { phones: Pick<PhoneRepo, 'touch'> },
  method: typeof smsMethod,
): Factor {
  return createCodeFactor(deps, {
    ...method,
    passed: (account, at) => deps.phones.touch(account.id, at),
  });
}
