/** What the second step's page says: its title per method, the switches, and where the code went. */
import type { CodeChannel, SignInFlow } from '../../api-types';
import { digitsWord } from '../../format';

export type Method = NonNullable<SignInFlow['secondFactor']>['method'];

export const titles: Record<Method, string> = {
  passkey: 'Use your passkey',
  code: 'Enter your verification code',
  totp: 'Enter the code from your authenticator app',
  recovery_code: 'Enter your recovery code',
};

/** Buttons that leave the app or the recovery code for a code sent by `channel`. */
export const insteadLabels: Record<CodeChannel, string> = {
  sms: 'Text me a code instead',
  voice: 'Call me with a code instead',
  email: 'Email me a code instead',
};

export function methodOf(flow: SignInFlow): Method {
  return flow.secondFactor?.method ?? 'code';
}

/** Seed 002: "A six-digit code is sent to your registered phone number via SMS." */
export function SentSentence({ flow }: { flow: SignInFlow }) {
  const digits = digitsWord(flow.code?.length ?? 6);
  const to = flow.destination ? (
    <>
      {' '}
      (<span className="nowrap">{flow.destination}</span>)
    </>
  ) : null;
  switch (flow.code?.channel) {
    case 'email':
      return (
        <>
          A {digits} code is sent to your email address{to}.
        </>
      );
    case 'voice':
      return (
        <>
          A {digits} code is read out in a call to your registered phone number{to}.
        </>
      );
    default:
      return (
        <>
          A {digits} code is sent to your registered phone number via SMS{to}.
        </>
      );
  }
}
