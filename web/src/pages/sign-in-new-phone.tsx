import { api } from '../api';
import type { CodeChannel } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { ErrorAlert } from '../components/error-alert';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import { useAction } from '../hooks/use-action';
import { usePageTitle } from '../hooks/use-page-title';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import { newCodeNotice } from './verify-email';

const here = '/sign-in/new-phone';
const title = 'Confirm your new phone number';

/**
 * Seed 002's help desk ("ask your administrator … update your phone number"): the administrator
 * entered a new number; the code sent to it confirms it and signs in. "Verify another way" keeps
 * the current phone (the new number is asked for again at the next sign-in).
 */
export function SignInNewPhonePage() {
  usePageTitle(title);
  const { active, lost, loseFlow, follow } = useSignInFlow(here);
  const other = useAction();

  if (lost) return <FlowProblem title={title} message={lost} />;
  if (active && !active.flow.code) {
    return <FlowProblem title={title} message="This sign-in cannot continue. Sign in again." />;
  }
  if (!active?.flow.code) return <LoadingCard />;
  const { flow, offsetMs } = active;
  const challenge = active.flow.code;
  const sent =
    challenge.channel === 'voice'
      ? `We are calling it (${flow.destination ?? ''}) to read out a ${challenge.length}-digit code.`
      : `We sent a ${challenge.length}-digit code to it (${flow.destination ?? ''}) by text message.`;

  async function verify(code: string) {
    follow(await api.verifyCode(flow.flow, code));
  }

  async function resend(channel?: CodeChannel) {
    const answer = await api.resendCode(flow.flow, channel);
    follow(answer);
    return newCodeNotice(answer.flow);
  }

  function anotherWay() {
    void other.run('submit', async () => {
      try {
        follow(await api.declinePendingPhone(flow.flow));
      } catch (caught) {
        if (api.declinePendingPhone.failedWith(caught, 'FLOW_NOT_FOUND')) {
          loseFlow(caught);
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <section className="card" aria-labelledby="new-phone-title">
      <h1 id="new-phone-title">{title}</h1>
      <p>
        Your administrator updated your phone number. {sent} Enter the code to confirm the new
        number.
      </p>
      <CodeEntry
        id="new-phone"
        label="Code"
        submitLabel="Verify Code"
        emptyMessage="Enter the code we sent to your new number."
        code={challenge}
        offsetMs={offsetMs}
        switches={flow.channels.filter((channel) => channel !== challenge.channel)}
        verify={verify}
        resend={resend}
        onLost={loseFlow}
      />
      <h2>Can't use the new number?</h2>
      <p>
        Until you confirm it, your current phone number keeps working. You will be asked to confirm
        the new number the next time you sign in.
      </p>
      <ErrorAlert id="new-phone-other-error" error={other.error} />
      <div className="actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={anotherWay}
          disabled={other.busy}
        >
          {other.busy ? 'Please wait…' : 'Verify another way'}
        </button>
      </div>
      <DifferentAccount />
    </section>
  );
}
