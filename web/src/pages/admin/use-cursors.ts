import { useState } from 'react';

/**
 * Keyset paging for a search (`filters`, the search as a string): the cursor of the page shown
 * (undefined: the first), "Next page" with the answer's `nextCursor`, "Previous" back through the
 * cursors already seen. Another search starts again at its first page.
 */
export function useCursors(filters: string) {
  const [paging, setPaging] = useState({ filters, cursors: [] as string[] });
  const cursors = paging.filters === filters ? paging.cursors : [];
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length === 0,
    next: (cursor: string) => setPaging({ filters, cursors: [...cursors, cursor] }),
    previous: () => setPaging({ filters, cursors: cursors.slice(0, -1) }),
  };
}
