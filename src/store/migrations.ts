// Schema migrations, run at start. Full-text indexes and counters are kept by triggers, so every write path
// keeps them right without the queries having to remember.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database } from './schema.ts';

const TICKET_STATUSES = ['open', 'pending', 'solved', 'closed'];
const FAQ_STATUSES = ['draft', 'published'];

/** Triggers that keep `counters` equal to the live rows per status (live: not deleted, not merged). */
function counterTriggers(table: string, live: (row: 'NEW' | 'OLD') => string): string[] {
  const changed = `(NOT (${live('NEW')}) OR OLD.status IS NOT NEW.status)`;
  const arrived = `(NOT (${live('OLD')}) OR OLD.status IS NOT NEW.status)`;
  return [
    `CREATE TRIGGER ${table}_count_insert AFTER INSERT ON ${table} WHEN ${live('NEW')}
     BEGIN UPDATE counters SET value = value + 1 WHERE name = '${table}:' || NEW.status; END`,
    `CREATE TRIGGER ${table}_count_leave AFTER UPDATE ON ${table} WHEN ${live('OLD')} AND ${changed}
     BEGIN UPDATE counters SET value = value - 1 WHERE name = '${table}:' || OLD.status; END`,
    `CREATE TRIGGER ${table}_count_arrive AFTER UPDATE ON ${table} WHEN ${live('NEW')} AND ${arrived}
     BEGIN UPDATE counters SET value = value + 1 WHERE name = '${table}:' || NEW.status; END`,
  ];
}

/** An external-content FTS5 index over some columns of a table, kept in step by triggers. */
function ftsIndex(table: string, columns: string[]): string[] {
  const cols = columns.join(', ');
  const values = (row: string) => columns.map((c) => `${row}.${c}`).join(', ');
  return [
    `CREATE VIRTUAL TABLE ${table}_fts USING fts5(${cols}, content='${table}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
    `CREATE TRIGGER ${table}_fts_insert AFTER INSERT ON ${table}
     BEGIN INSERT INTO ${table}_fts(rowid, ${cols}) VALUES (NEW.id, ${values('NEW')}); END`,
    `CREATE TRIGGER ${table}_fts_update AFTER UPDATE OF ${cols} ON ${table}
     BEGIN
       INSERT INTO ${table}_fts(${table}_fts, rowid, ${cols}) VALUES ('delete', OLD.id, ${values('OLD')});
       INSERT INTO ${table}_fts(rowid, ${cols}) VALUES (NEW.id, ${values('NEW')});
     END`,
  ];
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tickets')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('assignee', 'text')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('merged_into', 'integer', (c) => c.references('tickets.id'))
      .execute();
    const ticketLive = (row: string) => `${row}.deleted_at IS NULL AND ${row}.merged_into IS NULL`;
    await sql`CREATE INDEX tickets_live ON tickets (id) WHERE deleted_at IS NULL AND merged_into IS NULL`.execute(db);
    await sql`CREATE INDEX tickets_live_status ON tickets (status, id) WHERE deleted_at IS NULL AND merged_into IS NULL`.execute(db);

    await db.schema
      .createTable('faqs')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('question', 'text', (c) => c.notNull())
      .addColumn('question_key', 'text', (c) => c.notNull())
      .addColumn('answer', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source_ticket_id', 'integer', (c) => c.references('tickets.id'))
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .execute();
    await sql`CREATE UNIQUE INDEX faqs_question_unique ON faqs (question_key) WHERE deleted_at IS NULL`.execute(db);
    await sql`CREATE INDEX faqs_live ON faqs (id) WHERE deleted_at IS NULL`.execute(db);
    await sql`CREATE INDEX faqs_live_status ON faqs (status, id) WHERE deleted_at IS NULL`.execute(db);
    await sql`CREATE INDEX faqs_source ON faqs (source_ticket_id, id) WHERE deleted_at IS NULL`.execute(db);

    await db.schema
      .createTable('faq_related')
      .addColumn('faq_id', 'integer', (c) => c.notNull().references('faqs.id'))
      .addColumn('related_id', 'integer', (c) => c.notNull().references('faqs.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('faq_related_pk', ['faq_id', 'related_id'])
      .execute();

    await db.schema
      .createTable('counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    const counterNames = [
      ...TICKET_STATUSES.map((s) => `tickets:${s}`),
      ...FAQ_STATUSES.map((s) => `faqs:${s}`),
    ];
    await db.insertInto('counters').values(counterNames.map((name) => ({ name, value: 0 }))).execute();

    const statements = [
      ...counterTriggers('tickets', ticketLive),
      ...counterTriggers('faqs', (row) => `${row}.deleted_at IS NULL`),
      ...ftsIndex('tickets', ['title', 'description', 'tags']),
      ...ftsIndex('faqs', ['question', 'answer']),
    ];
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};

const tokens: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tokens')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await sql`CREATE INDEX tickets_requester ON tickets (requester, id) WHERE deleted_at IS NULL AND merged_into IS NULL`.execute(db);
  },
};

const migrations: Record<string, Migration> = { '0001-initial': initial, '0002-tokens': tokens };

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
}
