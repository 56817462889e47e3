/**
 * What an account holds, in the terms of the policy (`evaluate.ts`): the factors counted, the
 * email's state, the recovery code's, when the user last skipped the minimum, and until when an
 * administrator turned MFA off for them.
 */
import type { AccountFactors } from '../factors/account-factors.js';
import type { Account } from '../store/schema.js';
import type { Holdings } from './evaluate.js';

export function holdingsOf(
  account: Pick<Account, 'email_verified_at' | 'phone_offer_dismissed_at' | 'password_hash'> &
    Partial<Pick<Account, 'mfa_exempt_until'>>,
  factors: AccountFactors,
): Holdings {
  return {
    emailVerified: account.email_verified_at !== null,
    factors: {
      password: account.password_hash === null ? 0 : 1,
      phone: factors.phone ? 1 : 0,
      totp: factors.totp ? 1 : 0,
      passkey: factors.passkeys,
      recovery_code: factors.recoveryCode ? 1 : 0,
    },
    recoveryCodeSaved: factors.recoveryCode?.saved === true,
    minimumSkippedAt: account.phone_offer_dismissed_at,
    mfaExemptUntil: account.mfa_exempt_until ?? null,
  };
}
