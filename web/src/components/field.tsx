import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>;

interface FieldProps extends InputProps {
  id: string;
  label: string;
  value: string;
  onChange?: (value: string) => void;
  ref?: Ref<HTMLInputElement>;
  /** Help shown under the label, e.g. the password length rule. */
  hint?: ReactNode;
  /** Set when the input is invalid: the id of the alert that says why. */
  errorId?: string | undefined;
  /** Extra content under the input (a strength meter), with its own id to describe the input. */
  after?: { id: string; content: ReactNode };
}

/** A labelled input whose hint and error are linked for assistive technology. */
export function Field({ id, label, value, onChange, hint, errorId, after, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const describedBy = [hintId, after?.id, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        {...input}
        id={id}
        value={value}
        onChange={onChange ? (event) => onChange(event.target.value) : undefined}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy}
      />
      {after ? <div id={after.id}>{after.content}</div> : null}
    </div>
  );
}

/** A labelled checkbox (a choice that goes with a form, like "Sign out of my other devices"). */
export function Checkbox(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="checkbox-field">
      <input
        type="checkbox"
        id={props.id}
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
    </div>
  );
}
