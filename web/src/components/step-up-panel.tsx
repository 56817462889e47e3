import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { CodeChannel, CodeFlow } from '../api-types';
import { measureOffset } from '../flow-store';
import { digitsWord } from '../format';
import { useAction } from '../hooks/use-action';
import { CodeEntry } from './code-entry';
import { ErrorAlert } from './error-alert';

const viaWords: Record<CodeChannel, string> = {
  email: 'email',
  sms: 'text message',
  voice: 'phone call',
};

/** Seed 000: "you can choose between the two verification options where applicable". */
const choiceLabels: Record<CodeChannel, string> = {
  email: 'Verify via email',
  sms: 'Verify via text',
  voice: 'Verify via phone call',
};

interface StepUpPanelProps {
  /** Factors the user already has, as the server lists them (stepUp.methods). */
  methods: CodeChannel[];
  /** Why the user is asked (again), e.g. the server's STEP_UP_REQUIRED message. */
  reason: string | null;
  onVerified: (validUntil: string) => void;
  onCancel: () => void;
}

interface Pending {
  flow: CodeFlow;
  offsetMs: number;
}

function sentSentence({ code, destination }: CodeFlow): string {
  const digits = digitsWord(code?.length ?? 6);
  return code?.channel === 'voice'
    ? `We are calling ${destination} to read out a ${digits} code.`
    : `We sent a ${digits} code to ${destination}.`;
}

function SentSentence({ flow }: { flow: CodeFlow }) {
  const digits = digitsWord(flow.code?.length ?? 6);
  const to = <span className="nowrap">{flow.destination}</span>;
  return flow.code?.channel === 'voice' ? (
    <>
      We are calling {to} to read out a {digits} code.
    </>
  ) : (
    <>
      We sent a {digits} code to {to}.
    </>
  );
}

/**
 * Step-up (S20): before a change to the phone, prove it is you with a factor you already have —
 * a code to your verified email or to your phone. With one way, the code is sent at once; with
 * several, the user chooses.
 */
export function StepUpPanel({ methods, reason, onVerified, onCancel }: StepUpPanelProps) {
  const only = methods.length === 1 ? methods[0] : undefined;
  const [phase, setPhase] = useState<'choose' | 'sending' | 'code'>(only ? 'sending' : 'choose');
  const [pending, setPending] = useState<Pending | null>(null);
  const starting = useAction<CodeChannel>();
  const autoStarted = useRef(false);

  function start(channel: CodeChannel) {
    setPhase('sending');
    void starting.run(channel, async () => {
      try {
        const answer = await api.startStepUp(channel);
        setPending({ flow: answer.flow, offsetMs: measureOffset(undefined, answer.flow.code) });
        setPhase('code');
      } catch (caught) {
        setPhase('choose');
        throw caught;
      }
    });
  }

  useEffect(() => {
    if (only && !autoStarted.current) {
      autoStarted.current = true;
      start(only);
    }
  }, []); // once: a single way to verify needs no choice

  function lost() {
    setPending(null);
    setPhase('choose');
    starting.setError(new Error('This verification has expired. Ask for a new code.'));
  }

  let intro: string;
  if (methods.length === 0)
    intro =
      'There is no verified email address or phone number to verify your identity with. Contact your administrator.';
  else if (only)
    intro = `You will be required to verify your identity via ${viaWords[only]} to make this update.`;
  else
    intro =
      'You will be required to verify your identity to make this update. Choose how to receive your verification code.';

  const flow = pending?.flow;
  const offsetMs = pending?.offsetMs ?? 0;
  return (
    <div className="panel" role="group" aria-labelledby="step-up-title">
      <h3 id="step-up-title">Verify your identity</h3>
      {reason ? (
        <p role="status" className="alert alert-info">
          {reason}
        </p>
      ) : null}
      <p>{intro}</p>
      <ErrorAlert id="step-up-start-error" error={starting.error} />
      {phase === 'choose' && methods.length > 0 ? (
        <div className="actions actions-tight">
          {methods.map((channel) => (
            <button
              key={channel}
              type="button"
              className="button button-secondary"
              onClick={() => start(channel)}
            >
              {choiceLabels[channel]}
            </button>
          ))}
        </div>
      ) : null}
      {phase === 'sending' ? <p role="status">Sending your code…</p> : null}
      {phase === 'code' && flow?.code ? (
        <>
          <p>
            <SentSentence flow={flow} />
          </p>
          <CodeEntry
            id="step-up"
            label="Verification code"
            submitLabel="Verify"
            emptyMessage="Enter the code we sent you."
            code={flow.code}
            offsetMs={offsetMs}
            resendTip={flow.code.channel === 'email' ? undefined : ''}
            switches={flow.channels.filter((channel) => channel !== flow.code?.channel)}
            verify={async (code) =>
              onVerified((await api.verifyStepUp(flow.flow, code)).validUntil)
            }
            resend={async (channel) => {
              const answer = await api.resendStepUp(flow.flow, channel);
              setPending({
                flow: answer.flow,
                offsetMs: measureOffset(undefined, answer.flow.code),
              });
              return `${sentSentence(answer.flow)} Earlier codes no longer work.`;
            }}
            onLost={lost}
          />
        </>
      ) : null}
      <p>
        <button type="button" className="button-link" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}
