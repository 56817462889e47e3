import { errorText } from '../error-text';

/** The form's error, announced to screen readers; inputs point at it with aria-describedby. */
export function ErrorAlert({ id, error }: { id: string; error: unknown }) {
  if (!error) return null;
  return (
    <div id={id} role="alert" className="alert alert-error">
      {errorText(error)}
    </div>
  );
}
