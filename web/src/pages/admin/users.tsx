/**
 * `/admin`: find a user (seed 002's help desk) by the start of their email address or name,
 * narrowed by organisation, state or a factor they hold, newest first or by email. The filters
 * live in the address (so Back from a user returns to the same search); pages are keyset pages,
 * "Previous" going back through the cursors already seen.
 */
import { useCallback, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { formatDate } from '../../format';
import { useLoad } from '../../hooks/use-load';
import { usePageTitle } from '../../hooks/use-page-title';
import { adminApi, type UserPage, type UserQuery } from './admin-api';
import { AdminLoad, AdminShell } from './admin-shell';
import { useCursors } from './use-cursors';
import { useOrganisations } from './use-organisations';
import { roleWords, stateWords } from './words';
import { PageNav } from './page-nav';

const states: [NonNullable<UserQuery['state']>, string][] = [
  ['active', 'Active'],
  ['disabled', 'Deactivated'],
  ['invited', 'Invited'],
  ['locked', 'Locked'],
  ['mfa_off', 'MFA turned off'],
];
const factors: [NonNullable<UserQuery['holds']>, string][] = [
  ['phone', 'Phone number'],
  ['totp', 'Authenticator app'],
  ['passkey', 'Passkey'],
  ['recovery_code', 'Recovery code'],
];
const filterNames = ['q', 'organisationId', 'state', 'holds', 'sort'] as const;

export function AdminUsersPage() {
  usePageTitle('Admin console: users');
  const [params, setParams] = useSearchParams();
  const filters = params.toString();
  const { cursor, first, next, previous } = useCursors(filters);
  const load = useCallback(() => {
    const p = new URLSearchParams(filters);
    const query = Object.fromEntries(filterNames.map((n) => [n, p.get(n) ?? undefined]));
    return adminApi.users({ ...(query as UserQuery), cursor });
  }, [filters, cursor]);
  const [result, reload] = useLoad(load);
  const organisations = useOrganisations();

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen = new URLSearchParams();
    for (const name of filterNames) {
      const value = String(form.get(name) ?? '').trim();
      if (value) chosen.set(name, value);
    }
    setParams(chosen);
  }

  return (
    <AdminShell title="Users" load={result} retry={() => void reload()}>
      <form
        key={filters}
        className="admin-filters"
        role="search"
        aria-label="Find users"
        onSubmit={search}
      >
        <div className="field">
          <label htmlFor="users-q">Email or name</label>
          <p id="users-q-hint" className="hint">
            The start of an email address or a name.
          </p>
          <input
            id="users-q"
            name="q"
            type="search"
            defaultValue={params.get('q') ?? ''}
            aria-describedby="users-q-hint"
          />
        </div>
        {organisations.list.length > 0 ? (
          <Select
            id="users-org"
            name="organisationId"
            label="Organisation"
            value={params.get('organisationId')}
            options={organisations.list.map((o) => [o.id, o.name])}
            any="Any organisation"
          />
        ) : null}
        <Select
          id="users-state"
          name="state"
          label="State"
          value={params.get('state')}
          options={states}
          any="Any state"
        />
        <Select
          id="users-holds"
          name="holds"
          label="Has"
          value={params.get('holds')}
          options={factors}
          any="Any factor"
        />
        <Select
          id="users-sort"
          name="sort"
          label="Sort by"
          value={params.get('sort')}
          options={[['email', 'Email address']]}
          any="Newest first"
        />
        <div className="actions">
          <button type="submit" className="button button-primary">
            Search
          </button>
        </div>
      </form>
      <AdminLoad load={result} retry={() => void reload()}>
        {(page) => (
          <UserTable
            page={page}
            organisationName={organisations.name}
            first={first}
            onNext={() => page.nextCursor && next(page.nextCursor)}
            onPrevious={previous}
          />
        )}
      </AdminLoad>
    </AdminShell>
  );
}

function Select(props: {
  id: string;
  name: string;
  label: string;
  value: string | null;
  options: [string, string][];
  any: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} name={props.name} defaultValue={props.value ?? ''}>
        <option value="">{props.any}</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function UserTable(props: {
  page: UserPage;
  organisationName: (id: string | null) => string;
  first: boolean;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const { users, nextCursor } = props.page;
  const count = `${users.length} ${users.length === 1 ? 'user' : 'users'}`;
  return (
    <>
      <p role="status" className="muted">
        {users.length === 0 ? 'No users match this search.' : `Showing ${count}.`}
      </p>
      {users.length > 0 ? (
        <div className="table-scroll">
          <table className="admin-table">
            <caption className="visually-hidden">Users found</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Organisation</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <th scope="row">
                    <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.email}</Link>
                  </th>
                  <td>{u.name ?? '—'}</td>
                  <td>{props.organisationName(u.organisationId)}</td>
                  <td>{roleWords(u.role)}</td>
                  <td>{stateWords(u.state)}</td>
                  <td>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <PageNav
        label="Pages of users"
        first={props.first}
        hasNext={Boolean(nextCursor)}
        onPrevious={props.onPrevious}
        onNext={props.onNext}
      />
    </>
  );
}
