import { useState } from 'react';
import { api } from '../api';
import type { CodeFlow, PhoneInfo } from '../api-types';
import { measureOffset } from '../flow-store';
import { formatDuration } from '../format';
import type { SecurityWords } from '../policy-words';
import { CodeEntry } from './code-entry';
import { internationalFormatHint, PhoneForm } from './phone-form';

interface PhoneEditorProps {
  words: SecurityWords;
  /** The step-up has lapsed: the page asks for it again. */
  onStepUpRequired: (cause: unknown) => void;
  /** "Done" after the new number is saved. */
  onDone: (phone: PhoneInfo) => void;
  onCancel: () => void;
}

interface Enrolment {
  flow: CodeFlow;
  offsetMs: number;
}

/** Seed 000: "A text has been sent to the phone above. Enter the verification code …" */
function sentText(flow: CodeFlow): string {
  const validity = flow.code
    ? ` Codes will be valid for ${formatDuration(flow.code.validForSeconds)}.`
    : '';
  return flow.code?.channel === 'voice'
    ? `A call is being made to the phone above. Enter the verification code you hear to complete the process.${validity}`
    : `A text has been sent to the phone above. Enter the verification code from that text to complete the process.${validity}`;
}

/**
 * A new phone number on the account page (after a step-up): the number, a code sent *to it*,
 * "Submit", then "Done". The server tells the old number and the email of the change.
 */
export function PhoneEditor({ words, onStepUpRequired, onDone, onCancel }: PhoneEditorProps) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [saved, setSaved] = useState<PhoneInfo | null>(null);

  function stepUpLapsed(caught: unknown): boolean {
    if (!api.startPhone.failedWith(caught, 'STEP_UP_REQUIRED')) return false;
    onStepUpRequired(caught);
    return true;
  }

  if (saved) {
    return (
      <div className="panel">
        <p role="status" className="alert alert-success">
          Your phone number {saved.number} is verified and saved to your account.
        </p>
        <button type="button" className="button button-primary" onClick={() => onDone(saved)}>
          Done
        </button>
      </div>
    );
  }

  const flow = enrolment?.flow;
  const offsetMs = enrolment?.offsetMs ?? 0;
  return (
    <div className="panel" role="group" aria-label="New phone number">
      <PhoneForm
        id="new-phone"
        label={words.phoneLabel}
        hint={internationalFormatHint}
        submitLabel={words.send}
        busyLabel="Sending code…"
        send={async (phone, channel) => {
          const answer = await api.startPhone(phone, channel);
          setEnrolment({ flow: answer.flow, offsetMs: measureOffset(undefined, answer.flow.code) });
        }}
        onError={stepUpLapsed}
      />
      {flow?.code ? (
        <>
          <p id="new-phone-sent">{sentText(flow)}</p>
          <CodeEntry
            key={flow.flow}
            id="new-phone"
            label="Enter Two-Factor verification code"
            submitLabel="Submit"
            busyLabel="Submitting…"
            emptyMessage="Enter the verification code from the text."
            validityShown
            code={flow.code}
            offsetMs={offsetMs}
            resendPrompt="Didn't receive a verification code?"
            resendTip=""
            switches={flow.channels.filter((channel) => channel !== flow.code?.channel)}
            verify={async (code) => setSaved((await api.confirmPhone(flow.flow, code)).phone)}
            resend={async (channel) => {
              const answer = await api.resendPhone(flow.flow, channel);
              setEnrolment({
                flow: answer.flow,
                offsetMs: measureOffset(undefined, answer.flow.code),
              });
              return answer.flow.code?.channel === 'voice'
                ? 'We are calling the phone above with a new code. Earlier codes no longer work.'
                : 'A new text has been sent to the phone above. Earlier codes no longer work.';
            }}
            onLost={() => setEnrolment(null)}
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
