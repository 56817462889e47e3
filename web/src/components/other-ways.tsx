import type { useAction } from '../hooks/use-action';
import { CodeForm } from './code-form';
import { ErrorAlert } from './error-alert';

/**
 * "Other ways to verify" under a second-factor step (sign-in, password reset): one button per
 * way, the one being switched to says so, and a failed switch shows its error here.
 */
export function OtherWays<K extends string>(props: {
  id: string;
  title: string;
  ways: { key: K; label: string }[];
  action: ReturnType<typeof useAction<K>>;
  onChoose: (key: K) => void;
}) {
  const { id, action } = props;
  if (props.ways.length === 0) return null;
  return (
    <div className="other-methods" role="group" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="hint">
        {props.title}
      </p>
      <ErrorAlert id={`${id}-error`} error={action.error} />
      <div className="actions actions-tight">
        {props.ways.map(({ key, label }) => (
          <button
            key={key}
            type="button"
            className="button button-secondary"
            onClick={() => props.onChoose(key)}
            disabled={action.busy}
          >
            {action.pending === key ? 'Switching…' : label}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Entering the six-digit code the authenticator app shows for this portal. */
export function AppCodeEntry(props: {
  id: string;
  portalName: string;
  autoFocus: boolean;
  verify: (code: string) => Promise<void>;
  onLost: (cause: unknown) => void;
}) {
  return (
    <>
      <p>
        Open your authenticator app and find the six-digit code for {props.portalName}. Enter it in
        the Code field and click Verify Code.
      </p>
      <CodeForm
        key="totp"
        id={props.id}
        kind="totp"
        label="Code"
        submitLabel="Verify Code"
        emptyMessage="Enter the code your authenticator app shows."
        autoFocus={props.autoFocus}
        verify={props.verify}
        onLost={props.onLost}
      />
    </>
  );
}
