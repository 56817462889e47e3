/**
 * The admin console's "are you sure?": a modal dialog (the browser's own <dialog>, so focus
 * stays inside and the page behind is inert) that says in plain words what will happen, asks for
 * a reason where the audit log wants one, and runs the action. Escape or Cancel closes it (not
 * while the action runs); focus moves to its first field and returns to the opener afterwards.
 * When the server wants a fresh step-up first (STEP_UP_REQUIRED), the dialog shows the step-up
 * and, once verified, runs the action again with what was entered.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { isApiError } from '../../api';
import type { StepUpMethod } from '../../api-types';
import { ErrorAlert } from '../../components/error-alert';
import { StepUpPanel } from '../../components/step-up-panel';
import { errorText, InputError, isInvalid } from '../../error-text';
import { useAction } from '../../hooks/use-action';

export interface ConfirmDialogProps {
  /** Prefix of the element ids. */
  id: string;
  title: string;
  /** The button that does it ("Turn off MFA"). */
  confirmLabel: string;
  busyLabel?: string;
  /** What will happen, in plain words, and any fields of the action's own (given the error, to
   *  mark the field at fault). */
  children: ReactNode | ((error: unknown) => ReactNode);
  /** Whether to ask why: the audit log keeps the answer. */
  reason: 'required' | 'optional' | 'none';
  danger?: boolean;
  /** Does it; resolves with the sentence that says it is done. */
  act: (reason: string) => Promise<string>;
  onDone: (message: string) => void;
  onClose: () => void;
}

const stepUpMethods: readonly StepUpMethod[] = ['passkey', 'totp', 'sms', 'voice', 'email'];

/** The methods a STEP_UP_REQUIRED answer names (`details.methods`, comma-separated). */
function methodsOf(error: unknown): StepUpMethod[] {
  const listed = isApiError(error) ? error.details.methods : undefined;
  const names = typeof listed === 'string' ? listed.split(',') : [];
  return stepUpMethods.filter((method) => names.includes(method));
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const { busy, error, setError, run } = useAction();
  const [reason, setReason] = useState('');
  const [stepUp, setStepUp] = useState<{ methods: StepUpMethod[]; reason: string } | null>(null);
  const errorId = `${props.id}-error`;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    return () => opener?.focus();
  }, []);

  function confirm() {
    void run('submit', async () => {
      if (props.reason === 'required' && !reason.trim()) {
        throw new InputError('Enter the reason: it is kept in the audit log.', ['reason']);
      }
      try {
        props.onDone(await props.act(reason));
      } catch (caught) {
        if (isApiError(caught, 'STEP_UP_REQUIRED')) {
          setStepUp({ methods: methodsOf(caught), reason: errorText(caught) });
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <dialog
      ref={ref}
      id={props.id}
      className="dialog dialog-wide"
      aria-modal="true"
      aria-labelledby={`${props.id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) props.onClose();
      }}
    >
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {stepUp ? (
        <StepUpPanel
          methods={stepUp.methods}
          reason={stepUp.reason}
          onVerified={() => {
            setStepUp(null);
            // Back to the form (its fields as they were), which says what happens next.
            requestAnimationFrame(() =>
              ref.current?.querySelector<HTMLElement>('input, textarea')?.focus(),
            );
            confirm();
          }}
          onCancel={() => {
            setStepUp(null);
            setError(null);
          }}
        />
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            confirm();
          }}
        >
          {typeof props.children === 'function' ? props.children(error) : props.children}
          {props.reason === 'none' ? null : (
            <div className="field">
              <label htmlFor={`${props.id}-reason`}>
                {props.reason === 'required' ? 'Reason' : 'Reason (optional)'}
              </label>
              <p id={`${props.id}-reason-hint`} className="hint">
                Kept in the audit log with your name, for example the help desk ticket.
              </p>
              <textarea
                id={`${props.id}-reason`}
                value={reason}
                maxLength={500}
                rows={2}
                required={props.reason === 'required'}
                aria-invalid={isInvalid(error, 'reason') ? true : undefined}
                aria-describedby={
                  isInvalid(error, 'reason')
                    ? `${props.id}-reason-hint ${errorId}`
                    : `${props.id}-reason-hint`
                }
                onChange={(event) => setReason(event.target.value)}
              />
            </div>
          )}
          <ErrorAlert id={errorId} error={error} />
          <div className="actions">
            <button
              type="submit"
              className={props.danger ? 'button button-danger' : 'button button-primary'}
              disabled={busy}
            >
              {busy ? (props.busyLabel ?? 'Working…') : props.confirmLabel}
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={props.onClose}
              disabled={busy}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
