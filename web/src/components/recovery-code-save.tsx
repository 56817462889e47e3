import { useState, type FormEvent } from 'react';
import { isFlowGone } from '../api';
import type { RecoveryCodeShown } from '../api-types';
import { usePortalName } from '../config';
import { InputError, isInvalid } from '../error-text';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { download, recoveryFile } from '../recovery-file';
import { ErrorAlert } from './error-alert';
import { SubmitButton } from './submit-button';

interface RecoveryCodeSaveProps {
  /** Prefix of the element ids. */
  id: string;
  recoveryCode: RecoveryCodeShown;
  /** The account's email address, for the downloaded file; left out when not known. */
  email?: string | undefined;
  /** "Continue" at sign-in, "Done" on the account page. */
  submitLabel: string;
  busyLabel: string;
  /** The user ticked "I have saved my recovery code": tell the server and move on. */
  onSaved: () => Promise<void>;
  /** The flow is gone (expired or unknown): the page takes over. */
  onLost?: (cause: unknown) => void;
}

/**
 * A new recovery code, shown once (S14): Download (a text file naming the portal, the account
 * and the date), Copy, and a required "I have saved my recovery code" before going on. Used by
 * the sign-in step after a recovery code was used (or when the policy requires one) and by the
 * account page's "Get a new code".
 */
export function RecoveryCodeSave(props: RecoveryCodeSaveProps) {
  const { id, recoveryCode } = props;
  const portalName = usePortalName() ?? 'Portcullis';
  const [saved, setSaved] = useState(false);
  const [notice, setNotice] = useState('');
  const [copyError, setCopyError] = useState<unknown>(null);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);
  const errorId = `${id}-error`;
  const file = recoveryFile({ portalName, email: props.email, ...recoveryCode });

  function downloadFile() {
    setCopyError(null);
    download(file);
    setNotice(`Your recovery code was downloaded as ${file.name}.`);
  }

  async function copy() {
    setNotice('');
    setCopyError(null);
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(recoveryCode.code);
      setNotice(
        'Your recovery code was copied. Paste it somewhere safe, such as a password manager.',
      );
    } catch {
      setCopyError(
        new Error(
          'This browser did not let the page copy. Select the code and copy it, or download it.',
        ),
      );
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!saved) {
      setError(
        new InputError('Save your recovery code, then tick “I have saved my recovery code”.', [
          'saved',
        ]),
      );
      return;
    }
    void run('submit', async () => {
      try {
        await props.onSaved();
      } catch (caught) {
        if (props.onLost && isFlowGone(caught)) {
          props.onLost(caught);
          return;
        }
        throw caught;
      }
    });
  }

  const invalid = isInvalid(error, 'saved');
  return (
    <div className="recovery-save">
      <div className="recovery-code-box" role="group" aria-labelledby={`${id}-label`}>
        <p id={`${id}-label`} className="recovery-code-label">
          Your recovery code
        </p>
        <p className="recovery-code" data-testid="recovery-code">
          {recoveryCode.code}
        </p>
      </div>
      <p className="hint">
        This is the only time it is shown. Download it or copy it somewhere safe, such as a password
        manager. Anyone who has it and your password can sign in as you.
      </p>
      <div className="actions actions-tight">
        <button type="button" className="button button-secondary" onClick={downloadFile}>
          Download
        </button>
        <button type="button" className="button button-secondary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      {notice ? (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      ) : null}
      <ErrorAlert id={`${id}-copy-error`} error={copyError} />
      <form ref={formRef} onSubmit={submit} noValidate className="recovery-confirm">
        <ErrorAlert id={errorId} error={error} />
        <div className="checkbox-field">
          <input
            type="checkbox"
            id={`${id}-saved`}
            checked={saved}
            onChange={(event) => setSaved(event.target.checked)}
            required
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? errorId : undefined}
          />
          <label htmlFor={`${id}-saved`}>I have saved my recovery code</label>
        </div>
        <SubmitButton label={props.submitLabel} busyLabel={props.busyLabel} busy={busy} />
      </form>
    </div>
  );
}
