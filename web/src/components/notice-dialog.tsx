import { useEffect, useRef, type ReactNode } from 'react';

interface NoticeDialogProps {
  id: string;
  title: string;
  children: ReactNode;
  /** After the dialog closed (OK, or Escape). */
  onClose: () => void;
}

/** A modal notice with one "OK" button: the browser's own <dialog>, focus kept inside it. */
export function NoticeDialog({ id, title, children, onClose }: NoticeDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
      <form method="dialog" className="actions">
        <button type="submit" className="button button-primary">
          OK
        </button>
      </form>
    </dialog>
  );
}
