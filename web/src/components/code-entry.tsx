import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isApiError, isFlowGone } from '../api';
import type { CodeChallenge, CodeChannel } from '../api-types';
import { InputError, isInvalid } from '../error-text';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { useNow } from '../hooks/use-now';
import { CodeTiming, ResendCode } from './code-timing';
import { ErrorAlert } from './error-alert';
import { Field } from './field';
import { SubmitButton } from './submit-button';

/** The words of the buttons that ask for the code by another channel (seed 002: "Send code to email"). */
export const switchLabels: Record<CodeChannel, string> = {
  email: 'Send code to email',
  sms: 'Text me',
  voice: 'Call me',
};

interface CodeEntryProps<C extends CodeChannel> {
  /** Prefix of the element ids (one code entry on a page at a time). */
  id: string;
  label: string;
  submitLabel: string;
  busyLabel?: string;
  code: CodeChallenge;
  /** Add to a server timestamp to get this device's time. */
  offsetMs: number;
  /** Said when the form is sent with the field empty. */
  emptyMessage: string;
  /** The text above already says how long codes are valid for. */
  validityShown?: boolean;
  /** Before "Resend code": "Didn't receive a verification code?" */
  resendPrompt?: string;
  resendTip?: string;
  /** Other channels the code may be sent by. */
  switches?: C[];
  verify: (code: string) => Promise<void>;
  /** A new code by the same channel (no argument) or by another; returns what to announce. */
  resend: (channel?: C) => Promise<string>;
  /** The flow is gone (expired or unknown): the page takes over. */
  onLost?: (cause: unknown) => void;
}

/**
 * Entering a one-time code: a numeric one-time-code field, the validity with a countdown, the
 * tries left after a wrong code, "Resend code" after its cooldown, and other channels to switch
 * to. Used by every step that takes a code.
 */
export function CodeEntry<C extends CodeChannel>(props: CodeEntryProps<C>) {
  const { id, code, offsetMs, switches = [] } = props;
  const [value, setValue] = useState('');
  const [notice, setNotice] = useState('');
  const [ended, setEnded] = useState<'expired' | 'exhausted' | null>(null);
  const [resendOverride, setResendOverride] = useState<number | null>(null);
  const { pending, busy, error, setError, run } = useAction<string>();
  const formRef = useFocusInvalid(error);
  const inputRef = useRef<HTMLInputElement>(null);
  const now = useNow();
  const errorId = `${id}-error`;

  // A new code (resent, or sent by another channel): whatever ended the old one is history.
  useEffect(() => {
    setEnded(null);
    setResendOverride(null);
  }, [code.issuedAt, code.channel]);

  const expiresAt = Date.parse(code.expiresAt) + offsetMs;
  const resendAt = resendOverride ?? Date.parse(code.resendAvailableAt) + offsetMs;

  function lost(caught: unknown): boolean {
    if (!props.onLost || !isFlowGone(caught)) return false;
    props.onLost(caught);
    return true;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const digits = value.replace(/[\s-]/g, '');
    if (!digits) {
      setError(new InputError(props.emptyMessage, ['code']));
      return;
    }
    setNotice('');
    void run('verify', async () => {
      try {
        await props.verify(digits);
      } catch (caught) {
        if (lost(caught)) return;
        if (isApiError(caught, 'CODE_EXPIRED')) {
          setEnded('expired');
          setResendOverride(Date.now()); // an expired code is past any resend cooldown
        }
        if (isApiError(caught, 'CODE_ATTEMPTS_EXCEEDED')) setEnded('exhausted');
        throw caught;
      }
    });
  }

  function resend(channel?: C) {
    setNotice('');
    void run(channel ?? 'resend', async () => {
      try {
        const message = await props.resend(channel);
        setValue('');
        setNotice(message);
        inputRef.current?.focus();
      } catch (caught) {
        if (lost(caught)) return;
        const retryAfter = isApiError(caught) ? caught.retryAfterSeconds : undefined;
        if (retryAfter !== undefined && !channel) setResendOverride(Date.now() + retryAfter * 1000);
        throw caught;
      }
    });
  }

  return (
    <div className="code-entry">
      {notice ? (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      ) : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={errorId} error={error} />
        <Field
          ref={inputRef}
          id={`${id}-code`}
          label={props.label}
          className="code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern={`[0-9]{${code.length}}`}
          maxLength={code.length + 4}
          spellCheck={false}
          value={value}
          onChange={setValue}
          after={{
            id: `${id}-timing`,
            content: (
              <CodeTiming
                id={`${id}-validity`}
                validityShown={props.validityShown}
                {...{ code, expiresAt, now, ended }}
              />
            ),
          }}
          errorId={isInvalid(error, 'code') ? errorId : undefined}
        />
        <SubmitButton
          label={props.submitLabel}
          busyLabel={props.busyLabel ?? 'Verifying…'}
          busy={pending === 'verify'}
          disabled={busy}
        />
      </form>
      <ResendCode
        wait={Math.max(0, resendAt - now)}
        busy={busy}
        sending={pending === 'resend'}
        onResend={() => resend()}
        prompt={props.resendPrompt}
        tip={props.resendTip}
      />
      {switches.length > 0 ? (
        <div className="actions channel-switches">
          {switches.map((channel) => (
            <button
              key={channel}
              type="button"
              className="button button-secondary"
              onClick={() => resend(channel)}
              disabled={busy}
            >
              {pending === channel ? 'Sending…' : switchLabels[channel]}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
