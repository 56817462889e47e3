// The words each policy's guide gives its users for the account page and the phone on it:
// seed 000 (email-first) "Account Management → Security → Change … Verify Mobile Number",
// seed 002 (sms-required) "My Details → Multi-factor Authentication → Update".
import type { PolicyName } from './api-types';

export interface SecurityWords {
  /** The page's title, and the link to it from the account page. */
  title: string;
  /** The button that starts a change of phone number. */
  change: string;
  /** The label of the phone number input. */
  phoneLabel: string;
  /** The button that sends a code to the new number. */
  send: string;
}

export function securityWords(policy: PolicyName | undefined): SecurityWords {
  if (policy === 'sms-required') {
    return { title: 'My Details', change: 'Update', phoneLabel: 'Mobile number', send: 'Update' };
  }
  return {
    title: 'Account Management',
    change: 'Change',
    phoneLabel: 'Mobile phone number',
    send: 'Verify Mobile Number',
  };
}
