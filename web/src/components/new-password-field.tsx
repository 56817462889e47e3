import { useConfig } from '../config';
import { Field } from './field';
import { PasswordStrength } from './password-strength';

interface NewPasswordFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** The account's email address, which the password should not contain. */
  email: string;
  errorId: string | undefined;
}

/** A new password: the length rule from the server's config and an advisory strength meter. */
export function NewPasswordField({ value, onChange, email, errorId }: NewPasswordFieldProps) {
  const config = useConfig();
  const min = config?.passwordMinLength ?? 12;
  const max = config?.passwordMaxLength ?? 128;
  const userInputs = [email, ...email.split(/[@.+_-]/), config?.portalName ?? '', 'portcullis'];
  return (
    <Field
      id="password"
      label="Choose a password"
      type="password"
      autoComplete="new-password"
      hint={`Use ${min} to ${max} characters. A few unrelated words make a strong, memorable password.`}
      value={value}
      onChange={onChange}
      errorId={errorId}
      after={{
        id: 'password-strength',
        content: (
          <PasswordStrength
            password={value}
            userInputs={userInputs.filter(Boolean)}
            minLength={min}
          />
        ),
      }}
    />
  );
}
