import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  // A session's own idle limit, from the account's policy when it was made (`sessionLimits`;
  // null: the deployment's SESSION_IDLE_MINUTES). Kept on the row so the session check stays one
  // indexed lookup with no policy to read.
  await db.schema.alterTable('sessions').addColumn('idle_ms', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('idle_ms').execute();
}
