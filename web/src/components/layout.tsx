import { Link, Outlet, useLocation } from 'react-router';
import { usePortalName } from '../config';
import { UserMenu } from './user-menu';

/** The signed-in pages: the account's pages and the admin console. */
const signedInArea = /^\/(account|admin)(\/|$)/;

/**
 * Every page: the portal's name in the header (with the user's menu on signed-in pages) and the
 * page's card in the middle.
 */
export function Layout() {
  const portalName = usePortalName();
  const signedIn = signedInArea.test(useLocation().pathname);
  return (
    <div className="page">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link className="brand" to="/account">
          {portalName ?? '\u00a0'}
        </Link>
        {signedIn ? <UserMenu /> : null}
      </header>
      <main id="main" className="site-main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">Secure sign-in by Portcullis</footer>
    </div>
  );
}
