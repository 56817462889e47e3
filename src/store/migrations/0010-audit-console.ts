/**
 * The audit log as a record to rely on (S25): rows name their organisation and the reason an
 * administrator gave; indexes serve the admin console's filters, newest first by (at, id); and
 * the table is append-only in the database itself — a trigger refuses every UPDATE and DELETE.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** The console's filters, each served newest first by (at, id); (target_id, at) exists (0001). */
const INDEXES: [string, string[]][] = [
  ['audit_events_at', ['at', 'id']],
  ['audit_events_actor', ['actor_id', 'at', 'id']],
  ['audit_events_organisation', ['organisation_id', 'at', 'id']],
  ['audit_events_action', ['action', 'at', 'id']],
];

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('organisation_id', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('reason', 'text').execute();
  for (const [name, columns] of INDEXES) {
    await db.schema.createIndex(name).on('audit_events').columns(columns).execute();
  }
  if (isPostgres(db)) {
    await sql`
      create function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only: % refused', tg_op;
      end $$`.execute(db);
    await sql`
      create trigger audit_events_append_only before update or delete on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
  } else {
    for (const op of ['update', 'delete']) {
      await sql`
        create trigger ${sql.id(`audit_events_no_${op}`)} before ${sql.raw(op)} on audit_events
        begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger if exists audit_events_append_only on audit_events`.execute(db);
    await sql`drop function if exists audit_events_append_only()`.execute(db);
  } else {
    await sql`drop trigger if exists audit_events_no_update`.execute(db);
    await sql`drop trigger if exists audit_events_no_delete`.execute(db);
  }
  for (const name of INDEXES.map(([n]) => n)) await db.schema.dropIndex(name).ifExists().execute();
  await db.schema.alterTable('audit_events').dropColumn('reason').execute();
  await db.schema.alterTable('audit_events').dropColumn('organisation_id').execute();
}

/** Which dialect runs the migration (one file serves both). */
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
