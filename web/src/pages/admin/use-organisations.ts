import { useEffect, useState } from 'react';
import { adminApi, type Organisation } from './admin-api';

/**
 * The organisations, to filter by and to name in tables: empty for an administrator who may not
 * list them (an organisation administrator sees their own organisation's rows only anyway).
 */
export function useOrganisations(): { list: Organisation[]; name: (id: string | null) => string } {
  const [list, setList] = useState<Organisation[]>([]);
  useEffect(() => {
    let live = true;
    adminApi.organisations().then(
      (answer) => live && setList(answer.organisations),
      () => live && setList([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return {
    list,
    name: (id) => (id === null ? '—' : (list.find((o) => o.id === id)?.name ?? id)),
  };
}
