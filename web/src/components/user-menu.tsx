/**
 * The signed-in header's top-right menu (seed 000: "the drop-down menu on the top, right side of
 * your screen"): a button with the user's email opens Account Management, the admin console (for
 * administrators and organisation administrators) and Log Out. A menu button: aria-expanded and aria-controls, arrow keys and Home/End
 * move through the items, Escape or Tab closes it (Escape returns focus), a click outside closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api';
import type { User } from '../api-types';
import { useSecurityWords } from '../config';
import { flowStore } from '../flow-store';
import { isAdminRole } from '../pages/admin/words';
import type { SignInState } from '../pages/sign-in';

export function UserMenu() {
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    let live = true;
    // A signed-out visitor gets no menu; the page itself sends them to sign in.
    api.session().then(
      (answer) => live && setUser(answer.user),
      () => live && setUser(null),
    );
    return () => {
      live = false;
    };
  }, []);
  return user ? <UserMenuButton user={user} /> : null;
}

function UserMenuButton({ user }: { user: User }) {
  const navigate = useNavigate();
  const words = useSecurityWords();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [failed, setFailed] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);

  const items = () => [
    ...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []),
  ];

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const closeOutside = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', closeOutside);
    return () => document.removeEventListener('mousedown', closeOutside);
  }, [open]);

  function onMenuKey(event: KeyboardEvent) {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = {
      ArrowDown: (at + 1) % all.length,
      ArrowUp: (at - 1 + all.length) % all.length,
      Home: 0,
      End: all.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      all[moves[event.key] ?? 0]?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  }

  async function logOut() {
    setSigningOut(true);
    setFailed(false);
    try {
      await api.signOut();
    } catch {
      // Still signed in: say so, and stay (the server decides, not the page).
      setSigningOut(false);
      setFailed(true);
      return;
    }
    flowStore.clear();
    const state: SignInState = { notice: 'You have signed out.' };
    navigate('/sign-in', { replace: true, state });
  }

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {user.email} <span aria-hidden="true">▾</span>
      </button>
      <ul
        id={menuId}
        ref={menuRef}
        role="menu"
        aria-label="Your account"
        className="user-menu-items"
        hidden={!open}
        onKeyDown={onMenuKey}
      >
        <li role="none">
          <Link role="menuitem" to="/account/security" onClick={() => setOpen(false)}>
            {words.title}
          </Link>
        </li>
        {isAdminRole(user.role) ? (
          <li role="none">
            <Link role="menuitem" to="/admin" onClick={() => setOpen(false)}>
              Admin console
            </Link>
          </li>
        ) : null}
        <li role="none">
          <button
            role="menuitem"
            type="button"
            disabled={signingOut}
            onClick={() => {
              setOpen(false);
              void logOut();
            }}
          >
            {signingOut ? 'Logging out…' : 'Log Out'}
          </button>
        </li>
      </ul>
      {failed ? (
        <p role="alert" className="user-menu-error">
          You could not be logged out. Try again.
        </p>
      ) : null}
    </div>
  );
}
