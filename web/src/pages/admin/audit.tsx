/**
 * `/admin/audit`: the audit log (S25), newest first, by actor, target, action, organisation and
 * time (UTC), a keyset page at a time; "Export CSV" and "Export JSON lines" download every
 * matching event, with the same filters. The filters live in the address, so a user's page can
 * link to their events.
 */
import { useCallback, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useLoad } from '../../hooks/use-load';
import { usePageTitle } from '../../hooks/use-page-title';
import { adminApi, auditExportHref, type AuditFilters, type AuditPage } from './admin-api';
import { AdminLoad, AdminShell } from './admin-shell';
import { useCursors } from './use-cursors';
import { useOrganisations } from './use-organisations';
import { formatUtc } from './words';
import { PageNav } from './page-nav';

const textFilters = [
  ['action', 'Action', 'For example admin.mfa_exempted or sign_in.failed.'],
  ['actorId', 'Actor id', 'Who did it: the id of an account.'],
  ['targetId', 'Target id', 'To whom: the id of an account.'],
] as const;
const timeFilters = [
  ['from', 'From (UTC)', 'Events at or after this time.'],
  ['to', 'Until (UTC)', 'Events before this time.'],
] as const;

/** The API's filters from the address (times there as the API takes them: ISO, UTC). */
function filtersOf(params: URLSearchParams): AuditFilters {
  const names = [...textFilters, ...timeFilters].map(([name]) => name as string);
  names.push('organisationId');
  return Object.fromEntries(
    names.map((name) => [name, params.get(name) ?? undefined]),
  ) as AuditFilters;
}

/** `2026-12-03T14:05` typed in a datetime-local field, read as UTC. */
const isoFromField = (value: string) =>
  value ? new Date(`${value.length === 16 ? `${value}:00` : value}Z`).toISOString() : '';
const fieldFromIso = (iso: string | null) => (iso ? iso.slice(0, 16) : '');

export function AdminAuditPage() {
  usePageTitle('Admin console: audit log');
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = filtersOf(params);
  const { cursor, first, next, previous } = useCursors(search);
  const load = useCallback(
    () => adminApi.auditEvents({ ...filtersOf(new URLSearchParams(search)), cursor }),
    [search, cursor],
  );
  const [result, reload] = useLoad(load);
  const organisations = useOrganisations();

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen = new URLSearchParams();
    for (const name of [...textFilters.map(([n]) => n), 'organisationId']) {
      const value = String(form.get(name) ?? '').trim();
      if (value) chosen.set(name, value);
    }
    for (const [name] of timeFilters) {
      const value = isoFromField(String(form.get(name) ?? ''));
      if (value) chosen.set(name, value);
    }
    setParams(chosen);
  }

  return (
    <AdminShell title="Audit log" load={result} retry={() => void reload()}>
      <form key={search} className="admin-filters" aria-label="Filter events" onSubmit={apply}>
        {textFilters.map(([name, label, hint]) => (
          <div className="field" key={name}>
            <label htmlFor={`audit-${name}`}>{label}</label>
            {hint ? (
              <p id={`audit-${name}-hint`} className="hint">
                {hint}
              </p>
            ) : null}
            <input
              id={`audit-${name}`}
              name={name}
              defaultValue={params.get(name) ?? ''}
              aria-describedby={hint ? `audit-${name}-hint` : undefined}
            />
          </div>
        ))}
        <div className="field">
          <label htmlFor="audit-organisationId">
            {organisations.list.length > 0 ? 'Organisation' : 'Organisation id'}
          </label>
          {organisations.list.length > 0 ? (
            <select
              id="audit-organisationId"
              name="organisationId"
              defaultValue={params.get('organisationId') ?? ''}
            >
              <option value="">Any organisation</option>
              {organisations.list.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="audit-organisationId"
              name="organisationId"
              defaultValue={params.get('organisationId') ?? ''}
            />
          )}
        </div>
        {timeFilters.map(([name, label, hint]) => (
          <div className="field" key={name}>
            <label htmlFor={`audit-${name}`}>{label}</label>
            <p id={`audit-${name}-hint`} className="hint">
              {hint}
            </p>
            <input
              id={`audit-${name}`}
              name={name}
              type="datetime-local"
              defaultValue={fieldFromIso(params.get(name))}
              aria-describedby={`audit-${name}-hint`}
            />
          </div>
        ))}
        <div className="actions">
          <button type="submit" className="button button-primary">
            Show events
          </button>
          <Link className="button button-secondary" to="/admin/audit">
            Clear filters
          </Link>
        </div>
      </form>
      <p className="actions actions-tight">
        <a className="button button-secondary" href={auditExportHref('csv', filters)} download>
          Export CSV
        </a>
        <a className="button button-secondary" href={auditExportHref('jsonl', filters)} download>
          Export JSON lines
        </a>
      </p>
      <AdminLoad load={result} retry={() => void reload()}>
        {(page) => (
          <EventTable
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

function EventTable(props: {
  page: AuditPage;
  organisationName: (id: string | null) => string;
  first: boolean;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const { events, nextCursor } = props.page;
  return (
    <>
      <p role="status" className="muted">
        {events.length === 0
          ? 'No events match these filters.'
          : `Showing ${events.length} ${events.length === 1 ? 'event' : 'events'}, newest first.`}
      </p>
      {events.length > 0 ? (
        <div className="table-scroll">
          <table className="admin-table">
            <caption className="visually-hidden">Audit events</caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Organisation</th>
                <th scope="col">IP</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatUtc(e.at)}</td>
                  <th scope="row">{e.action}</th>
                  <td>{e.actorEmail ?? e.actorId ?? '—'}</td>
                  <td>
                    {e.targetId ? (
                      <Link to={`/admin/users/${encodeURIComponent(e.targetId)}`}>
                        {e.targetEmail ?? e.targetId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{props.organisationName(e.organisationId)}</td>
                  <td>{e.ip ?? '—'}</td>
                  <td>{e.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <PageNav
        label="Pages of events"
        first={props.first}
        hasNext={Boolean(nextCursor)}
        onPrevious={props.onPrevious}
        onNext={props.onNext}
      />
    </>
  );
}
