import { useState, type FormEvent, type ReactNode } from 'react';
import { isFlowGone } from '../api';
import { InputError, isInvalid } from '../error-text';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { ErrorAlert } from './error-alert';
import { Field } from './field';
import { SubmitButton } from './submit-button';

interface CodeFormProps {
  /** Prefix of the element ids (one code form on a page at a time). */
  id: string;
  /** `totp`: six digits from the authenticator app; `recovery`: the saved recovery code. */
  kind: 'totp' | 'recovery';
  label: string;
  submitLabel: string;
  busyLabel?: string;
  hint?: ReactNode;
  /** Said when the form is sent with the field empty. */
  emptyMessage: string;
  /** Focus the field at once (the user has just chosen this way to verify). */
  autoFocus?: boolean;
  verify: (code: string) => Promise<void>;
  /** The flow is gone (expired or unknown): the page takes over. */
  onLost?: (cause: unknown) => void;
}

/**
 * Entering a code the user reads from something they hold — the authenticator app or the saved
 * recovery code. Nothing is sent, so unlike CodeEntry there is no countdown and no resend; the
 * errors (wrong code, a code used already, too many tries) show the same way.
 */
export function CodeForm(props: CodeFormProps) {
  const { id, kind } = props;
  const [value, setValue] = useState('');
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);
  const errorId = `${id}-error`;

  function submit(event: FormEvent) {
    event.preventDefault();
    const typed = value.replace(/[\s-]/g, '');
    if (!typed) {
      setError(new InputError(props.emptyMessage, ['code']));
      return;
    }
    void run('submit', async () => {
      try {
        await props.verify(typed);
      } catch (caught) {
        if (props.onLost && isFlowGone(caught)) {
          props.onLost(caught);
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <ErrorAlert id={errorId} error={error} />
      <Field
        id={`${id}-code`}
        label={props.label}
        hint={props.hint}
        className={kind === 'totp' ? 'code-input' : 'recovery-input'}
        inputMode="numeric"
        autoComplete={kind === 'totp' ? 'one-time-code' : 'off'}
        // Six digits from the app; the recovery code may be typed in groups with spaces or dashes.
        maxLength={kind === 'totp' ? 10 : 40}
        spellCheck={false}
        autoFocus={props.autoFocus}
        value={value}
        onChange={setValue}
        errorId={isInvalid(error, 'code') ? errorId : undefined}
      />
      <SubmitButton
        label={props.submitLabel}
        busyLabel={props.busyLabel ?? 'Verifying…'}
        busy={busy}
      />
    </form>
  );
}
