/**
 * The account page's right-side menu (seed 001: "If you need to redownload your recovery code,
 * it can be found in the right-side menu of the Manage My One Healthcare ID page"), shown with
 * the strong-mfa preset: it moves between the page's tabs, and its "Recovery code" entry opens
 * "Get a new code" (a stored code is hashed: it cannot be shown again, only replaced).
 */

export interface SideMenuEntry {
  label: string;
  onSelect: () => void;
}

export function AccountSideMenu({ title, entries }: { title: string; entries: SideMenuEntry[] }) {
  return (
    <nav className="side-menu" aria-label={`${title} menu`}>
      <ul>
        {entries.map((entry) => (
          <li key={entry.label}>
            <button type="button" className="side-menu-entry" onClick={entry.onSelect}>
              {entry.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
