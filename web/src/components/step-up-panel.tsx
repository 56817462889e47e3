import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { CodeChannel, StepUpFlow, StepUpMethod } from '../api-types';
import { measureOffset } from '../flow-store';
import { digitsWord } from '../format';
import { useAction } from '../hooks/use-action';
import { CodeEntry } from './code-entry';
import { CodeForm } from './code-form';
import { ErrorAlert } from './error-alert';
import { OtherMethods, PasskeyStepUp } from './step-up-methods';

const viaWords: Record<StepUpMethod, string> = {
  passkey: 'a passkey',
  totp: 'your authenticator app',
  email: 'email',
  sms: 'text message',
  voice: 'phone call',
};

/** Seed 000: "you can choose between the two verification options where applicable". */
const choiceLabels: Record<StepUpMethod, string> = {
  passkey: 'Verify with a passkey',
  totp: 'Verify with authenticator app',
  email: 'Verify via email',
  sms: 'Verify via text',
  voice: 'Verify via phone call',
};

/** Leaving the method in use for another. */
interface StepUpPanelProps {
  /** Factors the user already has, as the server lists them (stepUp.methods), strongest first. */
  methods: StepUpMethod[];
  /** Why the user is asked (again), e.g. the server's STEP_UP_REQUIRED message. */
  reason: string | null;
  onVerified: (validUntil: string) => void;
  onCancel: () => void;
  /** What the verification is for, in the sentence "…verify your identity … to <purpose>". */
  purpose?: string;
}

interface Pending {
  flow: StepUpFlow;
  offsetMs: number;
}

const isChannel = (method: StepUpMethod): method is CodeChannel =>
  method !== 'totp' && method !== 'passkey';

function sentSentence({ code, destination }: StepUpFlow): string {
  const digits = digitsWord(code?.length ?? 6);
  return code?.channel === 'voice'
    ? `We are calling ${destination} to read out a ${digits} code.`
    : `We sent a ${digits} code to ${destination}.`;
}

function SentSentence({ flow }: { flow: StepUpFlow }) {
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
 * Step-up (S20): before a change to the account's factors, prove it is you with a factor you
 * already have — a passkey or a code from your authenticator app (offered first), or a code to
 * your verified phone or email. With one way, it starts at once; with several, the user chooses.
 */
export function StepUpPanel({
  methods,
  reason,
  onVerified,
  onCancel,
  purpose = 'make this update',
}: StepUpPanelProps) {
  const only = methods.length === 1 ? methods[0] : undefined;
  const [phase, setPhase] = useState<'choose' | 'sending' | 'code'>(only ? 'sending' : 'choose');
  const [pending, setPending] = useState<Pending | null>(null);
  const starting = useAction<StepUpMethod>();
  const switching = useAction<StepUpMethod>();
  const autoStarted = useRef(false);

  function show(flow: StepUpFlow) {
    setPending({ flow, offsetMs: measureOffset(undefined, flow.code) });
    setPhase('code');
  }

  function start(method: StepUpMethod) {
    setPhase('sending');
    void starting.run(method, async () => {
      try {
        show((await api.startStepUp(method)).flow);
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
    starting.setError(new Error('This verification has expired. Start it again.'));
  }

  let intro: string;
  if (methods.length === 0)
    intro =
      'There is no verified email address, phone number or authenticator app to verify your identity with. Sign out and sign in again, then make this change straight away, or contact your administrator.';
  else if (only)
    intro = `You will be required to verify your identity via ${viaWords[only]} to ${purpose}.`;
  else intro = `You will be required to verify your identity to ${purpose}. Choose how to verify.`;

  /** The flow's channels this panel offers (never one the caller left out, e.g. email). */
  const offered = (of: StepUpFlow) => of.channels.filter((method) => methods.includes(method));
  const flow = pending?.flow;
  const offsetMs = pending?.offsetMs ?? 0;
  const verify = async (code: string) => {
    if (flow) onVerified((await api.verifyStepUp(flow.flow, code)).validUntil);
  };
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
          {methods.map((method) => (
            <button
              key={method}
              type="button"
              className="button button-secondary"
              onClick={() => start(method)}
            >
              {choiceLabels[method]}
            </button>
          ))}
        </div>
      ) : null}
      {phase === 'sending' ? (
        <p role="status">
          {starting.pending === 'totp' || starting.pending === 'passkey'
            ? 'One moment…'
            : 'Sending your code…'}
        </p>
      ) : null}
      {phase === 'code' && flow?.method === 'passkey' ? (
        <PasskeyStepUp flow={flow} onVerified={onVerified} onRenewed={show} />
      ) : null}
      {phase === 'code' && flow?.method === 'totp' ? (
        <>
          <p>Enter the 6-digit code your authenticator app shows.</p>
          <CodeForm
            key={flow.flow}
            id="step-up"
            kind="totp"
            label="Verification code"
            submitLabel="Verify"
            emptyMessage="Enter the code your authenticator app shows."
            verify={verify}
            onLost={lost}
          />
        </>
      ) : null}
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
            switches={offered(flow)
              .filter(isChannel)
              .filter((c) => c !== flow.code?.channel)}
            verify={verify}
            resend={async (channel) => {
              const answer = await api.resendStepUp(flow.flow, channel);
              show(answer.flow);
              return `${sentSentence(answer.flow)} Earlier codes no longer work.`;
            }}
            onLost={lost}
          />
        </>
      ) : null}
      {phase === 'code' && flow ? (
        <OtherMethods
          // CodeEntry switches between sent codes itself; these are the other switches.
          methods={offered(flow).filter(
            (method) => method !== flow.method && (!isChannel(flow.method) || !isChannel(method)),
          )}
          action={switching}
          onSwitch={(method) =>
            void switching.run(method, async () => {
              show((await api.resendStepUp(flow.flow, method)).flow);
            })
          }
        />
      ) : null}
      <p>
        <button type="button" className="button-link" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}
