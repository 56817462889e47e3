interface SubmitButtonProps {
  label: string;
  busyLabel: string;
  busy: boolean;
  /** Disable without showing progress (another action on the page is running). */
  disabled?: boolean;
}

export function SubmitButton({ label, busyLabel, busy, disabled }: SubmitButtonProps) {
  return (
    <button type="submit" className="button button-primary" disabled={busy || disabled}>
      {busy ? busyLabel : label}
    </button>
  );
}
