import { isApiError } from '../api';
import { useAction } from '../hooks/use-action';
import { ErrorAlert } from './error-alert';

interface ConfirmRemovalProps {
  /** Prefix of the element ids. */
  id: string;
  /** "Remove phone number", "Remove authenticator app": the heading and the button. */
  title: string;
  /** What removing it means, as a question. */
  question: string;
  remove: () => Promise<void>;
  /** The server wants a fresh step-up first (S20): the page shows the step-up panel. */
  onStepUpRequired: (cause: unknown) => void;
  onRemoved: () => void;
  onCancel: () => void;
}

/** "Are you sure?" for removing a sign-in method, with the server's refusal shown in place. */
export function ConfirmRemoval(props: ConfirmRemovalProps) {
  const { busy, error, run } = useAction();

  function remove() {
    void run('submit', async () => {
      try {
        await props.remove();
      } catch (caught) {
        if (isApiError(caught, 'STEP_UP_REQUIRED')) {
          props.onStepUpRequired(caught);
          return;
        }
        throw caught;
      }
      props.onRemoved();
    });
  }

  return (
    <div className="panel" role="group" aria-labelledby={`${props.id}-title`}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      <p>{props.question}</p>
      <ErrorAlert id={`${props.id}-error`} error={error} />
      <div className="actions actions-tight">
        <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
          {busy ? 'Removing…' : props.title}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={props.onCancel}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
