/**
 * "Previous" and "Next page" under a keyset-paged console table (users, audit events): back
 * through the cursors already seen, on while the server gives a next cursor.
 */
export function PageNav(props: {
  label: string;
  first: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav className="actions actions-tight" aria-label={props.label}>
      <button
        type="button"
        className="button button-secondary"
        disabled={props.first}
        onClick={props.onPrevious}
      >
        Previous
      </button>
      <button
        type="button"
        className="button button-secondary"
        disabled={!props.hasNext}
        onClick={props.onNext}
      >
        Next page
      </button>
    </nav>
  );
}
