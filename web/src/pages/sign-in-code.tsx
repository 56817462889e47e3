import { api } from '../api';
import type { CodeChannel, SignInFlow } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import { digitsWord } from '../format';
import { usePageTitle } from '../hooks/use-page-title';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import { newCodeNotice } from './verify-email';

const here = '/sign-in/code';
const title = 'Enter your verification code';

/** Seed 002: "A six-digit code is sent to your registered phone number via SMS." */
function SentSentence({ flow }: { flow: SignInFlow }) {
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

/** The second factor at sign-in: a code by text, call or (where allowed) email. */
export function SignInCodePage() {
  usePageTitle(title);
  const { active, lost, loseFlow, follow } = useSignInFlow(here);

  if (lost) return <FlowProblem title={title} message={lost} />;
  if (active && !active.flow.code) {
    return <FlowProblem title={title} message="This sign-in cannot continue. Sign in again." />;
  }
  if (!active?.flow.code) return <LoadingCard />;

  const { flow, offsetMs } = active;
  const code = active.flow.code;

  async function verify(value: string) {
    follow(await api.verifyCode(flow.flow, value));
  }

  async function resend(channel?: CodeChannel) {
    const answer = await api.resendCode(flow.flow, channel);
    follow(answer);
    return newCodeNotice(answer.flow);
  }

  return (
    <section className="card" aria-labelledby="code-title">
      <h1 id="code-title">{title}</h1>
      <p>
        <SentSentence flow={flow} /> Enter it in the Code field and click Verify Code.
      </p>
      <CodeEntry
        id="second-factor"
        label="Code"
        submitLabel="Verify Code"
        emptyMessage="Enter the code we sent you."
        code={code}
        offsetMs={offsetMs}
        resendPrompt={code.channel === 'email' ? "Didn't get it?" : "Didn't receive a code?"}
        resendTip={code.channel === 'email' ? undefined : ''}
        switches={flow.channels.filter((channel) => channel !== code.channel)}
        verify={verify}
        resend={resend}
        onLost={loseFlow}
      />
      <p className="hint security-note">
        Codes sent by text message or phone call are less secure than an authenticator app or a
        passkey.
      </p>
      <DifferentAccount />
    </section>
  );
}
