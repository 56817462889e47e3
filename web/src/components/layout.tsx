import { Link, Outlet } from 'react-router';
import { usePortalName } from '../config';

/** Every page: the portal's name in the header and the page's card in the middle. */
export function Layout() {
  const portalName = usePortalName();
  return (
    <div className="page">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link className="brand" to="/account">
          {portalName ?? '\u00a0'}
        </Link>
      </header>
      <main id="main" className="site-main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">Secure sign-in by Portcullis</footer>
    </div>
  );
}
