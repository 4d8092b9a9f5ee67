// Schema migrations, run at start, written once for both engines: what differs (keys, triggers, search indexes)
// comes from the engine's SchemaDialect. Full-text indexes and counters are kept by triggers, so every write
// path keeps them right without the queries having to remember.
import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { MigrationDatabase, SchemaDialect } from './engines/engine.ts';
import type { Database } from './schema.ts';

const TICKET_STATUSES = ['open', 'pending', 'solved', 'closed'];
const FAQ_STATUSES = ['draft', 'published'];

/** Runs statements the dialect wrote as text, in order. */
async function runAll(db: MigrationDatabase, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** A table of things with an identity: it starts with the integer key the database assigns. */
function entityTable(db: MigrationDatabase, dialect: SchemaDialect, name: string): CreateTableBuilder<string, 'id'> {
  return db.schema.createTable(name).addColumn('id', 'integer', dialect.identity);
}

const initial = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await runAll(db, dialect.extras());
    await entityTable(db, dialect, 'tickets')
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
    await sql`CREATE INDEX tickets_live_status ON tickets (status, id) WHERE deleted_at IS NULL AND merged_into IS NULL`.execute(
      db,
    );

    await entityTable(db, dialect, 'faqs')
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

    await dialect.createCounters(db, [
      ...TICKET_STATUSES.map((s) => `tickets:${s}`),
      ...FAQ_STATUSES.map((s) => `faqs:${s}`),
    ]);

    await runAll(db, [
      ...dialect.counterTriggers('tickets', ticketLive),
      ...dialect.counterTriggers('faqs', (row) => `${row}.deleted_at IS NULL`),
      ...dialect.searchIndex('tickets', ['title', 'description', 'tags']),
      ...dialect.searchIndex('faqs', ['question', 'answer']),
    ]);
  },
});

const tokens = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await entityTable(db, dialect, 'tokens')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await sql`CREATE INDEX tickets_requester ON tickets (requester, id) WHERE deleted_at IS NULL AND merged_into IS NULL`.execute(
      db,
    );
  },
});

/**
 * Bulk imports as jobs: the submitted rows wait in the job, workers of any instance claim it by lease, and each
 * row's outcome (the ticket it made, or its problem) is recorded in the same transaction as that ticket, so a
 * job taken over after a crash resumes where the last commit left it and never makes a row's ticket twice.
 */
const imports = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await entityTable(db, dialect, 'imports')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'text')
      .addColumn('failure', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    // What a worker looks for: the oldest job that is queued, or running on a lease that has lapsed.
    await sql`CREATE INDEX imports_unfinished ON imports (id) WHERE state IN ('queued', 'running')`.execute(db);
    await db.schema
      .createTable('import_rows')
      .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id'))
      .addColumn('row', 'integer', (c) => c.notNull())
      .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id'))
      .addColumn('problem', 'text')
      .addPrimaryKeyConstraint('import_rows_pk', ['import_id', 'row'])
      .execute();
    await sql`CREATE UNIQUE INDEX import_rows_ticket ON import_rows (ticket_id)`.execute(db);
  },
});

/**
 * FAQs whose ticket lives in another service (the split: docs/services.md) name it by absolute URI. A column
 * of its own, so the id column keeps its foreign key to tickets in the single server.
 */
const sourceUris: Migration = {
  async up(db: MigrationDatabase) {
    await db.schema.alterTable('faqs').addColumn('source_uri', 'text').execute();
    await sql`CREATE INDEX faqs_source_uri ON faqs (source_uri, id) WHERE deleted_at IS NULL`.execute(db);
  },
};

/**
 * Retention of finished imports: a job past it keeps only its row (so that its address answers 410 Gone), with
 * its payload emptied and its refused rows' problems deleted by a trigger in the same statement; the rows that
 * link its tickets to it stay, as long as the tickets. The sweep finds such jobs by when they finished.
 */
const importRetention = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await sql`CREATE INDEX imports_finished ON imports (finished_at) WHERE state IN ('done', 'failed')`.execute(db);
    const expired = "NEW.state = 'expired' AND OLD.state <> 'expired'";
    await runAll(
      db,
      dialect.afterUpdate(
        'imports_expire',
        'imports',
        expired,
        'DELETE FROM import_rows WHERE import_id = NEW.id AND problem IS NOT NULL',
      ),
    );
  },
});

/** Markers of committed groups of writes, by which a group whose COMMIT answer was lost learns if it landed. */
const commitMarkers: Migration = {
  async up(db: MigrationDatabase) {
    await db.schema
      .createTable('commit_markers')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .execute();
  },
};

/**
 * The words tickets hold, for search to look up what a word begins before asking the full-text index (SQLite;
 * PostgreSQL needs no such list). Filled from the index's own vocabulary, then kept by triggers.
 */
const searchTerms = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await runAll(db, dialect.searchTerms('tickets', ['title', 'description', 'tags']));
  },
});

/**
 * The submitted rows of an import move from one payload of up to 10 MB (whose single write, read and parse each
 * held the process for tens of milliseconds) to parts of ~128 kB, read and written one at a time. A job being
 * submitted is 'receiving' until its last part is in; a trigger drops the parts once the job is done or expired
 * (a failed job keeps them until its retention ends). Jobs already waiting keep their rows as one part.
 */
const importParts = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await db.schema
      .createTable('import_parts')
      .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id'))
      .addColumn('part', 'integer', (c) => c.notNull())
      .addColumn('first_row', 'integer', (c) => c.notNull())
      .addColumn('rows', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('import_parts_pk', ['import_id', 'part'])
      .execute();
    await sql`INSERT INTO import_parts (import_id, part, first_row, rows) SELECT id, 0, 0, payload FROM imports WHERE payload <> '[]'`.execute(
      db,
    );
    await db.schema.alterTable('imports').dropColumn('payload').execute();
    // Submissions cut short (the process died mid-way) are found by age and removed with the finished ones.
    await sql`CREATE INDEX imports_receiving ON imports (created_at) WHERE state = 'receiving'`.execute(db);
    const ended = "NEW.state IN ('done', 'expired') AND OLD.state <> NEW.state";
    await runAll(
      db,
      dialect.afterUpdate('imports_drop_parts', 'imports', ended, 'DELETE FROM import_parts WHERE import_id = NEW.id'),
    );
  },
});

/**
 * Each ticket's words (SQLite; PostgreSQL's tsvector is that list already), for searches whose words each begin
 * too many words for the full-text index to merge: the newest rows' lists are checked one by one instead.
 */
const searchWordLists = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await runAll(db, dialect.searchWordLists('tickets', ['title', 'description', 'tags']));
  },
});

/**
 * The first characters of each ticket's words, as bits beside its word list (SQLite): the probe of the newest
 * rows for words that each begin many words tests them before it reads a list (a fifth of its time).
 */
const searchWordInitials = (dialect: SchemaDialect): Migration => ({
  async up(db: MigrationDatabase) {
    await runAll(db, dialect.searchWordInitials('tickets', ['title', 'description', 'tags']));
  },
});

/** Every migration by name; the names are what each database records as done. */
export function migrations(dialect: SchemaDialect): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-tokens': tokens(dialect),
    '0003-imports': imports(dialect),
    '0004-faq-source-uris': sourceUris,
    '0005-import-retention': importRetention(dialect),
    '0006-commit-markers': commitMarkers,
    '0007-search-terms': searchTerms(dialect),
    '0008-import-parts': importParts(dialect),
    '0009-search-word-lists': searchWordLists(dialect),
    '0010-search-word-initials': searchWordInitials(dialect),
  };
}

/**
 * Brings the schema up to date. Callers that may start side by side hold their engine's lock around it;
 * `inTransaction` says the caller's own transaction holds that lock (so the Migrator must not open another).
 */
export async function migrate(
  db: Kysely<Database>,
  dialect: SchemaDialect,
  { inTransaction = false } = {},
): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error } = await new Migrator({ db, provider, disableTransactions: inTransaction }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error('a migration failed', { cause: error });
}
