/**
 * The actions on the account itself: MFA off for some hours (capped by the user's policy) or
 * back on, unlock when locked, end every session, deactivate or reactivate.
 */
import { InputError, isInvalid } from '../../error-text';
import { formatDateTime } from '../../format';
import { adminApi, type UserDetail } from './admin-api';
import type { ConfirmDialogProps } from './confirm-dialog';

/** One button of the user page and the dialog it opens. */
export type Action = Omit<ConfirmDialogProps, 'onDone' | 'onClose'> & { button: string };

/** The exemption's length, typed in the dialog (24 hours unless the policy caps it lower). */
export interface HoursInput {
  hours: string;
  setHours: (value: string) => void;
}

function HoursField({ max, error, hours, setHours }: HoursInput & { max: number; error: unknown }) {
  return (
    <div className="field">
      <label htmlFor="mfa-off-hours">For how many hours</label>
      <p id="mfa-off-hours-hint" className="hint">
        Between 1 and {max} hours. MFA comes back on by itself after that.
      </p>
      <input
        id="mfa-off-hours"
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        value={hours}
        aria-describedby="mfa-off-hours-hint"
        aria-invalid={isInvalid(error, 'hours') ? true : undefined}
        onChange={(event) => setHours(event.target.value)}
      />
    </div>
  );
}

export function mfaActions({ user, allowed }: UserDetail, input: HoursInput): Action[] {
  const who = user.email;
  if (user.mfaOffUntil) {
    return [
      {
        id: 'mfa-on',
        button: 'Turn MFA back on',
        title: 'Turn MFA back on',
        confirmLabel: 'Turn MFA back on',
        reason: 'none',
        children: <p>{who} will need their second factor again at their next sign-in.</p>,
        act: async () => {
          await adminApi.endExemption(user.id);
          return `MFA is back on for ${who}.`;
        },
      },
    ];
  }
  const max = allowed.mfaExemption.maxHours;
  if (!allowed.mfaExemption.allowed) return [];
  return [
    {
      id: 'mfa-off',
      button: 'Turn off MFA temporarily',
      title: 'Turn off MFA temporarily',
      confirmLabel: 'Turn off MFA',
      busyLabel: 'Turning off…',
      reason: 'required',
      children: (error) => (
        <>
          <p>
            {who} will sign in with their password alone, without a code, until the time runs out.
            They get an email saying so.
          </p>
          <HoursField {...input} max={max} error={error} />
        </>
      ),
      act: async (reason) => {
        const count = Number(input.hours);
        if (!Number.isInteger(count) || count < 1 || count > max)
          throw new InputError(`Enter a whole number of hours from 1 to ${max}.`, ['hours']);
        const { mfaOffUntil } = await adminApi.exemptFromMfa(user.id, reason, count);
        return `MFA is off for ${who} until ${formatDateTime(mfaOffUntil)}.`;
      },
    },
  ];
}

export function accountActions({ user }: UserDetail): Action[] {
  const who = user.email;
  const unlock: Action = {
    id: 'unlock',
    button: 'Unlock',
    title: 'Unlock this account',
    confirmLabel: 'Unlock',
    reason: 'optional',
    children: <p>{who} can try to sign in again at once; the failed attempts are forgotten.</p>,
    act: async (reason) => {
      await adminApi.unlock(user.id, reason);
      return `${who} is unlocked.`;
    },
  };
  const endSessions: Action = {
    id: 'end-sessions',
    button: 'End all sessions',
    title: 'End all sessions',
    confirmLabel: 'End all sessions',
    danger: true,
    reason: 'optional',
    children: <p>{who} is signed out on every device and must sign in again.</p>,
    act: async (reason) => {
      await adminApi.endSessions(user.id, reason);
      return `Every session of ${who} has ended.`;
    },
  };
  const reactivate: Action = {
    id: 'reactivate',
    button: 'Reactivate',
    title: 'Reactivate this account',
    confirmLabel: 'Reactivate',
    reason: 'optional',
    children: <p>{who} can sign in again.</p>,
    act: async (reason) => {
      await adminApi.reactivate(user.id, reason);
      return `${who} is reactivated.`;
    },
  };
  const deactivate: Action = {
    id: 'deactivate',
    button: 'Deactivate',
    title: 'Deactivate this account',
    confirmLabel: 'Deactivate',
    danger: true,
    reason: 'optional',
    children: (
      <p>
        {who} cannot sign in any more, and every session ends at once. You can reactivate the
        account later.
      </p>
    ),
    act: async (reason) => {
      await adminApi.deactivate(user.id, reason);
      return `${who} is deactivated.`;
    },
  };
  return [
    ...(user.locked ? [unlock] : []),
    endSessions,
    user.state === 'disabled' ? reactivate : deactivate,
  ];
}
