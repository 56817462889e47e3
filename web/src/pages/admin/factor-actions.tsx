/**
 * The help desk's actions on a user's factors (seed 002: "update your phone number"): enter a new
 * number the user confirms at their next sign-in, reset a factor the policy lets an administrator
 * reset, send the usual password reset email.
 */
import { InputError, isInvalid } from '../../error-text';
import { phoneExample } from '../../phone-example';
import { adminApi, type ResettableFactor, type UserDetail } from './admin-api';
import type { Action } from './account-actions';

const factorWords: Record<ResettableFactor, string> = {
  phone: 'phone number',
  totp: 'authenticator app',
  passkey: 'passkey',
  recovery_code: 'recovery code',
};

/** The new number, as typed in the dialog. */
export interface PhoneInput {
  phone: string;
  setPhone: (value: string) => void;
}

function phoneAction({ user }: UserDetail, { phone, setPhone }: PhoneInput): Action {
  const who = user.email;
  return {
    id: 'phone',
    button: 'Update phone number',
    title: 'Update phone number',
    confirmLabel: 'Save the new number',
    reason: 'required',
    children: (error) => (
      <div className="field">
        <p>
          The new number is kept aside: at their next sign-in, {who} is sent a code to it, and it
          replaces the old number once they enter that code.
        </p>
        <label htmlFor="phone-new">New mobile number</label>
        <p id="phone-new-hint" className="hint">
          In international format, for example {phoneExample('GB')}.
        </p>
        <input
          id="phone-new"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={phone}
          aria-describedby="phone-new-hint"
          aria-invalid={isInvalid(error, 'phone') ? true : undefined}
          onChange={(event) => setPhone(event.target.value)}
        />
      </div>
    ),
    act: async (reason) => {
      // The server checks the number as it checks a user's own (PHONE_INVALID and the like).
      if (!phone.trim()) throw new InputError('Enter the new mobile number.', ['phone']);
      const { pendingPhone } = await adminApi.updatePhone(user.id, phone, reason);
      return `The new number ${pendingPhone} is waiting for ${who} to confirm it at their next sign-in.`;
    },
  };
}

/** One "Reset …" per factor the user holds and the policy lets an administrator reset. */
function resetActions({ user, factors, allowed }: UserDetail): Action[] {
  const held: { factor: ResettableFactor; label: string; passkeyId?: string }[] = [
    ...(factors.phone ? [{ factor: 'phone' as const, label: 'phone number' }] : []),
    ...(factors.totp ? [{ factor: 'totp' as const, label: 'authenticator app' }] : []),
    ...factors.passkeys.map((k) => ({
      factor: 'passkey' as const,
      label: `passkey “${k.name}”`,
      passkeyId: k.id,
    })),
    ...(factors.recoveryCode ? [{ factor: 'recovery_code' as const, label: 'recovery code' }] : []),
  ];
  return held
    .filter((h) => allowed.factorReset.includes(h.factor))
    .map((h) => ({
      id: `reset-${h.passkeyId ?? h.factor}`,
      button: `Reset ${h.label}`,
      title: `Reset ${h.label}`,
      confirmLabel: `Reset ${factorWords[h.factor]}`,
      danger: true,
      reason: 'required',
      children: (
        <p>
          The {h.label} stops working for {user.email} at once. If their portal needs one, they set
          up a new one at their next sign-in.
        </p>
      ),
      act: async (reason) => {
        await adminApi.resetFactor(user.id, h.factor, reason, h.passkeyId);
        return `The ${h.label} of ${user.email} was reset.`;
      },
    }));
}

function passwordResetAction({ user }: UserDetail): Action {
  return {
    id: 'password-reset',
    button: 'Send password reset',
    title: 'Send a password reset email',
    confirmLabel: 'Send the email',
    reason: 'optional',
    children: (
      <p>
        {user.email} gets the usual “forgot your password” email. Their password stays as it is
        until they choose a new one.
      </p>
    ),
    act: async (reason) => {
      await adminApi.sendPasswordReset(user.id, reason);
      return `A password reset email was sent to ${user.email}.`;
    },
  };
}

export function factorActions(detail: UserDetail, input: PhoneInput): Action[] {
  return [
    ...(detail.allowed.phoneUpdate ? [phoneAction(detail, input)] : []),
    ...resetActions(detail),
    passwordResetAction(detail),
  ];
}
