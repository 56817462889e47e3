import { useState, type FormEvent, type ReactNode } from 'react';
import { isApiError } from '../api';
import { InputError, isInvalid } from '../error-text';
import { countryName } from '../format';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { ErrorAlert } from './error-alert';
import { Field } from './field';

/** Seed 002's advice, shown where a number must be typed in international format. */
export const internationalFormatHint =
  'Use the international format for your phone number — include the country code (for example +44 for the UK) and drop the leading zero.';

/** A hint for numbers typed without a country code: which country they are taken to be in. */
export function defaultCountryHint(country: string | null): string {
  if (!country) return internationalFormatHint;
  return `Include the country code, for example +44 for the UK. Numbers without one are taken as ${countryName(country)} numbers.`;
}

export type PhoneChannel = 'sms' | 'voice';

interface PhoneFormProps {
  /** Prefix of the element ids. */
  id: string;
  label: string;
  hint: ReactNode;
  submitLabel: string;
  busyLabel: string;
  /** Sends a code to the number by text (or by call, for a landline); throws the server's error. */
  send: (phone: string, channel: PhoneChannel) => Promise<void>;
  /** Called instead of showing the error when the error means the flow is gone. */
  onError?: (cause: unknown) => boolean;
  /** More actions under the form (Skip for Now, Cancel). */
  children?: ReactNode;
}

/**
 * A mobile number, sent to the server as typed (it parses and checks it). A landline cannot get
 * texts: the server says so (CHANNEL_NOT_AVAILABLE) and the form offers "Call me".
 */
export function PhoneForm({
  id,
  label,
  hint,
  submitLabel,
  busyLabel,
  send,
  onError,
  children,
}: PhoneFormProps) {
  const [phone, setPhone] = useState('');
  const [offerCall, setOfferCall] = useState(false);
  const { pending, busy, error, setError, run } = useAction<PhoneChannel>();
  const formRef = useFocusInvalid(error);
  const errorId = `${id}-error`;

  function sendBy(channel: PhoneChannel) {
    if (!phone.trim()) {
      setError(new InputError('Enter your mobile number.', ['phone']));
      return;
    }
    void run(channel, async () => {
      try {
        await send(phone.trim(), channel);
      } catch (caught) {
        if (onError?.(caught)) return;
        if (isApiError(caught, 'CHANNEL_NOT_AVAILABLE')) setOfferCall(true);
        throw caught;
      }
    });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    sendBy('sms');
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <ErrorAlert id={errorId} error={error} />
      <Field
        id={`${id}-phone`}
        label={label}
        type="tel"
        autoComplete="tel"
        inputMode="tel"
        spellCheck={false}
        maxLength={64}
        hint={hint}
        value={phone}
        onChange={(value) => {
          setPhone(value);
          setOfferCall(false);
        }}
        errorId={isInvalid(error, 'phone') ? errorId : undefined}
      />
      <div className="actions actions-tight">
        <button type="submit" className="button button-primary" disabled={busy}>
          {pending === 'sms' ? busyLabel : submitLabel}
        </button>
        {offerCall ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => sendBy('voice')}
            disabled={busy}
          >
            {pending === 'voice' ? 'Calling…' : 'Call me'}
          </button>
        ) : null}
        {children}
      </div>
    </form>
  );
}
