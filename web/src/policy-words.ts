// The words each policy's guide gives its users for signing in, the account page and the phone
// on it: seed 000 (email-first) "Account Management → Security → Change … Verify Mobile Number",
// seed 002 (sms-required) "Enter your Email and Password, then click Login" and
// "My Details → Multi-factor Authentication → Update".
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

export interface SignInWords {
  title: string;
  button: string;
  busy: string;
}

export function signInWords(policy: PolicyName | undefined): SignInWords {
  if (policy === 'sms-required') return { title: 'Log in', button: 'Login', busy: 'Logging in…' };
  return { title: 'Sign in', button: 'Sign in', busy: 'Signing in…' };
}
