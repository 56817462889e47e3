import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's types */
export async function up(db: Kysely<any>): Promise<void> {
  // Organisations: each may tighten the deployment's policy for its members (`policy` is the
  // override as JSON text, validated when written and read; null: none). Names are unique
  // whatever their case.
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('policy', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('organisations_name')
    .on('organisations')
    .unique()
    .expression(sql`lower(name)`)
    .execute();

  // An account belongs to at most one organisation. The index serves the per-request policy
  // look-up (account → organisation) and the member lists.
  await db.schema
    .alterTable('accounts')
    .addColumn('organisation_id', 'text', (c) =>
      c.references('organisations.id').onDelete('set null'),
    )
    .execute();
  await db.schema
    .createIndex('accounts_organisation')
    .on('accounts')
    .column('organisation_id')
    .execute();

  // The deployment policy an administrator set through the admin API: one row at most (id is
  // always 'current'), replacing PORTCULLIS_POLICY while it exists. The document is the JSON
  // policy document as written (validated when written and read).
  await db.schema
    .createTable('deployment_policies')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id = 'current'`))
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deployment_policies').ifExists().execute();
  await db.schema.dropIndex('accounts_organisation').ifExists().execute();
  await db.schema.alterTable('accounts').dropColumn('organisation_id').execute();
  await db.schema.dropTable('organisations').ifExists().execute();
}
