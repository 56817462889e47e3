import { isApiError } from '../api';
import { InputError, isInvalid } from '../error-text';
import { Field } from './field';

/** The name as it will be shown (spaces collapsed), or an error asking for one. */
export function cleanPasskeyName(name: string): string | InputError {
  const clean = name.replace(/\s+/g, ' ').trim();
  return clean || new InputError('Give the passkey a name, like “Work laptop”.', ['name']);
}

interface PasskeyNameFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** The form's error, and the id of the alert showing it (linked when it is about the name). */
  error: unknown;
  errorId: string;
  hint?: string | undefined;
  placeholder?: string | undefined;
}

/** "Passkey name", wherever a passkey is added (the security page, sign-in). */
export function PasskeyNameField(props: PasskeyNameFieldProps) {
  const { error } = props;
  return (
    <Field
      id={props.id}
      label="Passkey name"
      hint={props.hint}
      placeholder={props.placeholder}
      maxLength={64}
      autoComplete="off"
      value={props.value}
      onChange={props.onChange}
      errorId={
        (error instanceof InputError || isApiError(error, 'VALIDATION_FAILED')) &&
        isInvalid(error, 'name')
          ? props.errorId
          : undefined
      }
    />
  );
}
