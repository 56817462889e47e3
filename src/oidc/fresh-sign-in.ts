/**
 * A fresh sign-in asked for by `prompt=login` or `max_age`: the interaction sends the user to
 * sign in with its return address marked with when it asked (our clock's milliseconds), and back
 * in the interaction only a sign-in newer than that counts. The mark is a keyed hash of the
 * interaction and the time, so editing the address cannot make an old sign-in pass for a new one.
 */
import type { KeyedHasher } from '../crypto/keyed-hash.js';

const DOMAIN = 'oidc-fresh-sign-in';

/** The query that marks `uid`'s interaction as asking, at `atMs`, for a sign-in after it. */
export function askedAfter(hasher: KeyedHasher, uid: string, atMs: number): string {
  return `after=${atMs}&mark=${hasher.hash(DOMAIN, `${uid}:${atMs}`)}`;
}

/** When the interaction asked for a fresh sign-in, if the query says so with a true mark. */
export function markedAfter(
  hasher: KeyedHasher,
  uid: string,
  query: URLSearchParams,
): number | undefined {
  const after = query.get('after');
  const mark = query.get('mark');
  if (!after || !mark || !/^\d{1,16}$/.test(after)) return undefined;
  return hasher.matches(DOMAIN, `${uid}:${after}`, mark) ? Number(after) : undefined;
}
