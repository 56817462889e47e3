import type { Kysely } from 'kysely';
import { lookupKey } from '../../accounts/email.js';
import { newId } from '../../crypto/random.js';

interface Row {
  id: string;
  email: string;
  email_normalized: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
/**
 * Email keys under NFKC and case folding (`src/accounts/email.ts`): every account's
 * `email_normalized` is recomputed from its address as stored, so an address stored before the
 * rule is still found by what its owner types. Two accounts are never merged: a key already held
 * by an account, or wanted by two, is given to nobody — those accounts keep their old keys (a
 * passkey still signs them in; their address typed now finds the holder, or no one) and an audit
 * event on each (`account.email_key_conflict`) names the others, for an administrator to resolve.
 * Running it again changes nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const rows: Row[] = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'email_normalized'])
    .orderBy('id')
    .execute();
  const holders = new Map(rows.map((r) => [r.email_normalized, r.id]));
  const claims = new Map<string, Row[]>();
  for (const row of rows) {
    const key = lookupKey(row.email) ?? row.email_normalized;
    if (key !== row.email_normalized) claims.set(key, [...(claims.get(key) ?? []), row]);
  }
  for (const [key, claimants] of claims) {
    const holder = holders.get(key);
    const [only] = claimants;
    if (holder === undefined && claimants.length === 1 && only) {
      await db
        .updateTable('accounts')
        .set({ email_normalized: key })
        .where('id', '=', only.id)
        .where('email_normalized', '=', only.email_normalized)
        .execute();
      continue;
    }
    const involved = [...(holder === undefined ? [] : [holder]), ...claimants.map((c) => c.id)];
    for (const claimant of claimants) {
      await db
        .insertInto('audit_events')
        .values({
          id: newId(),
          at: Date.now(),
          actor_id: null,
          action: 'account.email_key_conflict',
          target_id: claimant.id,
          ip: null,
          user_agent: null,
          details: JSON.stringify({
            conflictsWith: involved.filter((id) => id !== claimant.id).join(','),
          }),
        })
        .execute();
    }
  }
}

/** Nothing to undo: the old keys are not kept. */
export async function down(): Promise<void> {}
