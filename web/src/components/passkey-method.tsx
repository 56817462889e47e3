import { useState, type FormEvent } from 'react';
import { api, isApiError } from '../api';
import type { PasskeyInfo } from '../api-types';
import { InputError } from '../error-text';
import { formatDate, formatDateTime } from '../format';
import { useAction } from '../hooks/use-action';
import { useSectionTask } from '../hooks/use-step-up-tasks';
import { createPasskey, isPasskeyAborted, passkeyProblem, passkeysSupported } from '../passkey';
import type { SectionProps } from '../pages/account-security';
import { ConfirmRemoval } from './confirm-removal';
import { cleanPasskeyName, PasskeyNameField } from './passkey-name-field';
import { ErrorAlert } from './error-alert';
import { MethodFeedback } from './method-feedback';
import { StepUpPanel } from './step-up-panel';

/**
 * "Passkeys" on the security page (S15): the list (name, added, last used, synced), and adding,
 * renaming or removing one — each after a step-up. A passkey signs in without a password, and is
 * also the strongest second factor.
 */
export function PasskeyMethod({ security, reload, tasks }: SectionProps) {
  const { passkeys } = security;
  const task = tasks.task?.kind.startsWith('passkey-') ? tasks.task : null;
  const section = useSectionTask(tasks, reload);
  const { feedback, finish } = section;
  // The passkey a rename or removal is about.
  const [target, setTarget] = useState<PasskeyInfo | null>(null);

  function begin(kind: 'passkey-add' | 'passkey-rename' | 'passkey-remove', p?: PasskeyInfo) {
    setTarget(p ?? null);
    section.begin(kind);
  }

  return (
    <div className="method" role="region" aria-labelledby="passkey-method-title">
      <h3 id="passkey-method-title">Passkeys</h3>
      <p className="hint">
        The most secure and easiest way to sign in, without a phone: your device confirms it is you
        with your fingerprint, face or PIN. A passkey only works on this portal, so it cannot be
        phished.
      </p>
      <MethodFeedback message={feedback} />
      {passkeys.length === 0 ? <p className="muted">No passkeys yet.</p> : null}
      <ul className="passkey-list">
        {passkeys.map((p) => (
          <li key={p.id} className="passkey" aria-label={p.name}>
            <p className="passkey-name">
              {p.name} {p.flagged ? <span className="badge badge-pending">BLOCKED</span> : null}
            </p>
            <dl className="details details-compact">
              <dt>Added</dt>
              <dd>{formatDate(p.createdAt)}</dd>
              <dt>Last used</dt>
              <dd>{p.lastUsedAt ? formatDateTime(p.lastUsedAt) : 'Not used yet'}</dd>
              <dt>Synced</dt>
              <dd>
                {p.synced
                  ? 'Yes, backed up to your account with its provider'
                  : p.deviceBound
                    ? 'No, it stays on one device'
                    : 'Not yet backed up'}
              </dd>
            </dl>
            {p.flagged ? (
              <p className="alert alert-warning">
                This passkey is blocked: its signature counter went backwards, which can mean it was
                copied. Remove it, then add it again.
              </p>
            ) : null}
            {task === null ? (
              <div className="actions actions-tight">
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => begin('passkey-rename', p)}
                >
                  Rename
                </button>
                {p.removable ? (
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() => begin('passkey-remove', p)}
                  >
                    Remove
                  </button>
                ) : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {task === null ? (
        passkeysSupported() ? (
          <div className="actions actions-tight">
            <button
              type="button"
              className="button button-primary"
              onClick={() => begin('passkey-add')}
            >
              Add a passkey
            </button>
          </div>
        ) : (
          <p className="muted">This browser cannot create passkeys.</p>
        )
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : task.kind === 'passkey-add' ? (
        <PasskeyNamePanel
          id="passkey-add"
          title="Add a passkey"
          submitLabel="Create passkey"
          busyLabel="Waiting for your device…"
          initial=""
          intro="Name it after the device or password manager that keeps it, so you can tell your passkeys apart. Your device then asks you to confirm with your fingerprint, face or PIN."
          save={async (name) => {
            const { registration } = await api.startPasskey();
            let credential;
            try {
              credential = await createPasskey(registration.options);
            } catch (caught) {
              if (isPasskeyAborted(caught)) return;
              throw passkeyProblem(caught);
            }
            const { passkey } = await api.finishPasskey(registration.flow, name, credential);
            void finish(`Your passkey “${passkey.name}” was added.`);
          }}
          onStepUpRequired={tasks.stepUpAgain}
          onCancel={tasks.end}
        />
      ) : task.kind === 'passkey-rename' && target ? (
        <PasskeyNamePanel
          id="passkey-rename"
          title={`Rename “${target.name}”`}
          submitLabel="Save name"
          busyLabel="Saving…"
          initial={target.name}
          save={async (name) => {
            const { passkey } = await api.renamePasskey(target.id, name);
            void finish(`The passkey is now called “${passkey.name}”.`);
          }}
          onStepUpRequired={tasks.stepUpAgain}
          onCancel={tasks.end}
        />
      ) : target ? (
        <ConfirmRemoval
          id="remove-passkey"
          title="Remove passkey"
          question={`Remove the passkey “${target.name}” from your account? It will stop signing you in at once. (Remove it from your device or password manager too.)`}
          remove={() => api.removePasskey(target.id)}
          onStepUpRequired={tasks.stepUpAgain}
          onRemoved={() => void finish(`The passkey “${target.name}” was removed.`)}
          onCancel={tasks.end}
        />
      ) : null}
    </div>
  );
}

/** A passkey's name, then the action (creating it, or saving the new name). */
function PasskeyNamePanel(props: {
  id: string;
  title: string;
  submitLabel: string;
  busyLabel: string;
  initial: string;
  intro?: string;
  save: (name: string) => Promise<void>;
  onStepUpRequired: (cause: unknown) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(props.initial);
  const { busy, error, setError, run } = useAction();
  const errorId = `${props.id}-error`;

  function submit(event: FormEvent) {
    event.preventDefault();
    const clean = cleanPasskeyName(name);
    if (clean instanceof InputError) {
      setError(clean);
      return;
    }
    void run('submit', async () => {
      try {
        await props.save(clean);
      } catch (caught) {
        if (isApiError(caught, 'STEP_UP_REQUIRED')) {
          props.onStepUpRequired(caught);
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <form className="panel" aria-labelledby={`${props.id}-title`} onSubmit={submit} noValidate>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {props.intro ? <p>{props.intro}</p> : null}
      <ErrorAlert id={errorId} error={error} />
      <PasskeyNameField
        id={`${props.id}-name`}
        placeholder="Work laptop"
        value={name}
        onChange={setName}
        error={error}
        errorId={errorId}
      />
      <div className="actions actions-tight">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? props.busyLabel : props.submitLabel}
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
    </form>
  );
}
