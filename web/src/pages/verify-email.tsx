import { api } from '../api';
import type { SignInFlow } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import { usePageTitle } from '../hooks/use-page-title';
import type { PhoneStepState } from './sign-in-phone';

const here = '/sign-in/verify-email';

export function VerifyEmailPage() {
  usePageTitle('Verify your email');
  const { active, lost, loseFlow, follow } = useSignInFlow(here);

  if (lost) return <FlowProblem title="Verify your email" message={lost} />;
  if (active && !active.flow.code) {
    return (
      <FlowProblem
        title="Verify your email"
        message="This sign-in cannot continue. Sign in again."
      />
    );
  }
  if (!active?.flow.code) return <LoadingCard />;

  const { flow, offsetMs } = active;
  const challenge = active.flow.code;
  const destination = flow.destination ?? 'your email address';

  async function verify(code: string) {
    // The next step (a phone, offered or required) confirms what was just verified.
    const next: PhoneStepState = { verifiedEmail: destination };
    follow(await api.verifyEmail(flow.flow, code), next);
  }

  async function resend() {
    const answer = await api.resendCode(flow.flow);
    follow(answer);
    return newCodeNotice(answer.flow);
  }

  return (
    <section className="card" aria-labelledby="verify-title">
      <h1 id="verify-title">Verify your email</h1>
      <p>
        We sent a {challenge.length}-digit code to <strong>{destination}</strong>. Enter it below to
        continue.
      </p>
      <CodeEntry
        id="verify"
        label="Verification code"
        submitLabel="Verify"
        emptyMessage="Enter the code from the email."
        code={challenge}
        offsetMs={offsetMs}
        verify={verify}
        resend={resend}
        onLost={loseFlow}
      />
      <DifferentAccount />
    </section>
  );
}

/** What to announce after a new code went out. */
export function newCodeNotice(flow: Pick<SignInFlow, 'destination' | 'code'>): string {
  const to = flow.destination ?? 'you';
  if (flow.code?.channel === 'voice')
    return `We are calling ${to} with a new code. Earlier codes no longer work.`;
  return `We sent a new code to ${to}. Earlier codes no longer work.`;
}
