/**
 * What an administrator can do for one user (seed 002: "they can disable MFA temporarily or
 * update your phone number"): one button per action the user's state and policy allow (the
 * server's `allowed`), each opening a confirmation dialog that says what will happen.
 */
import { useState } from 'react';
import { accountActions, mfaActions } from './account-actions';
import type { UserDetail } from './admin-api';
import { ConfirmDialog } from './confirm-dialog';
import { factorActions } from './factor-actions';
import { invitationActions, roleActions } from './membership-actions';

/** The action buttons and the one open dialog; `onDone` says what changed and reloads. */
export function UserActions({
  detail,
  deploymentAdmin,
  onDone,
}: {
  detail: UserDetail;
  /** Whether the acting administrator is the whole deployment's (not an organisation's). */
  deploymentAdmin: boolean;
  onDone: (message: string) => Promise<void>;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const [hours, setHours] = useState(String(Math.min(24, detail.allowed.mfaExemption.maxHours)));
  const [phone, setPhone] = useState('');
  const actions = [
    ...mfaActions(detail, { hours, setHours }),
    ...factorActions(detail, { phone, setPhone }),
    ...invitationActions(detail),
    ...accountActions(detail),
    ...roleActions(detail, deploymentAdmin),
  ];
  const current = actions.find((a) => a.id === open);
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div className="actions actions-tight admin-actions">
        {actions.map((a) => (
          <button
            key={a.id}
            type="button"
            className={a.danger ? 'button button-danger' : 'button button-secondary'}
            aria-haspopup="dialog"
            onClick={() => setOpen(a.id)}
          >
            {a.button}
          </button>
        ))}
      </div>
      {current ? (
        <ConfirmDialog
          key={current.id}
          {...current}
          onClose={() => setOpen(null)}
          onDone={(message) => {
            setOpen(null);
            setHours(String(Math.min(24, detail.allowed.mfaExemption.maxHours)));
            setPhone('');
            void onDone(message);
          }}
        />
      ) : null}
    </section>
  );
}
