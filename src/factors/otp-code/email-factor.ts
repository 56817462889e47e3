/**
 * A code by email, where a flow allows it (the policy's fallback or step-up setting): not a
 * factor of its own (the inbox is how the account is known), so it never raises a session to
 * AAL2 (S9); its `amr` is `email`.
 */
import { maskEmail } from '../../accounts/email.js';
import type { CodeMethod } from './code-factor.js';

export const emailMethod: CodeMethod = {
  id: 'email',
  factor: null,
  answer: 'code',
  sent: true,
  phishingResistant: false,
  raisesAal: false,
  fallback: false,
  spentByUse: false,
  amr: 'email',
  held: () => true,
  target: (account) => ({ channel: 'email', to: account.email }),
  masked: (account) => maskEmail(account.email),
};
