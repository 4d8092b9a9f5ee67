// The PostgreSQL parts of the schema: identity keys, triggers as plpgsql functions, tsvector indexes under GIN,
// the search folding functions, and the shared rate-limit table.
import type { LiveCondition, MigrationDatabase, SchemaDialect } from './engine.ts';
import { DROPPED_MARKS, FOLD_FROM, FOLD_TO, SEPARATING_MARKS } from './postgres-fold.ts';

/**
 * Each counter is spread over this many rows (its slots), summed when read. A writer updates the slot of its own
 * connection, so concurrent writers do not all queue on one row lock held until each commit.
 */
const COUNTER_SLOTS = 16;

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** One trigger function per table: the row leaves its old status's count and arrives in its new one's. */
function counterTriggers(table: string, live: LiveCondition): string[] {
  return [
    `CREATE FUNCTION ${table}_count() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       left_counter text := CASE WHEN TG_OP = 'UPDATE' AND ${live('OLD')} THEN '${table}:' || OLD.status END;
       arrived_counter text := CASE WHEN ${live('NEW')} THEN '${table}:' || NEW.status END;
       own_slot integer := pg_backend_pid() % ${COUNTER_SLOTS};
     BEGIN
       IF left_counter IS NOT DISTINCT FROM arrived_counter THEN RETURN NULL; END IF;
       -- Lock both rows in name order first: two opposite status changes then queue instead of deadlocking.
       PERFORM 1 FROM counters WHERE name IN (left_counter, arrived_counter) AND slot = own_slot ORDER BY name FOR UPDATE;
       UPDATE counters SET value = value - 1 WHERE name = left_counter AND slot = own_slot;
       UPDATE counters SET value = value + 1 WHERE name = arrived_counter AND slot = own_slot;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER ${table}_count AFTER INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_count()`,
  ];
}

/** A side table of one tsvector per row (as FTS5 keeps its own table), kept by a trigger. */
function searchIndex(table: string, columns: string[]): string[] {
  const values = columns.map((c) => `NEW.${c}`).join(', ');
  return [
    `CREATE TABLE ${table}_search (id integer PRIMARY KEY REFERENCES ${table} (id), document tsvector NOT NULL)`,
    `CREATE INDEX ${table}_search_document ON ${table}_search USING gin (document)`,
    `CREATE FUNCTION ${table}_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO ${table}_search (id, document) VALUES (NEW.id, helpdesk_search_document(${values}))
       ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER ${table}_search_index AFTER INSERT OR UPDATE OF ${columns.join(', ')} ON ${table}
     FOR EACH ROW EXECUTE FUNCTION ${table}_search_index()`,
  ];
}

/** A trigger function of its own, and the trigger that calls it per row. */
function afterUpdate(name: string, table: string, when: string, action: string): string[] {
  return [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${action}; RETURN NULL; END $$`,
    `CREATE TRIGGER ${name} AFTER UPDATE ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`,
  ];
}

/** Functions the search triggers and queries share, and the table RateLimiterPostgres expects. */
function extras(): string[] {
  return [
    // Lower case, then Latin letters without their diacritics, and other combining marks as word breaks: FTS5's
    // unicode61 with remove_diacritics 2.
    `CREATE FUNCTION helpdesk_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
     AS $$ SELECT regexp_replace(regexp_replace(translate(lower($1), ${literal(FOLD_FROM)}, ${literal(FOLD_TO)}),
       ${literal(DROPPED_MARKS)}, '', 'g'), ${literal(SEPARATING_MARKS)}, ' ', 'g') $$`,
    // The words FTS5 would index (runs of letters and digits, folded), with their positions, as a tsvector.
    // Built from a tsvector literal, not to_tsvector: PostgreSQL's parser would keep "a@b.example" as one token.
    `CREATE FUNCTION helpdesk_search_document(VARIADIC parts text[]) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$
       SELECT coalesce(string_agg('''' || word[1] || ''':' || position, ' '), '')::tsvector
       FROM regexp_matches(helpdesk_fold(array_to_string(parts, ' ')), '[[:alnum:]]+', 'g') WITH ORDINALITY AS words (word, position)
       WHERE octet_length(word[1]) <= 2046
     $$`,
    `CREATE TABLE rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  ];
}

export const postgresSchema: SchemaDialect = {
  identity: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
  async createCounters(db: MigrationDatabase, names: string[]) {
    await db.schema
      .createTable('counters')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('slot', 'integer', (c) => c.notNull())
      .addColumn('value', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('counters_pk', ['name', 'slot'])
      .execute();
    const slots = Array.from({ length: COUNTER_SLOTS }, (_, slot) => slot);
    await db
      .insertInto('counters')
      .values(names.flatMap((name) => slots.map((slot) => ({ name, slot, value: 0 }))))
      .execute();
  },
  counterTriggers,
  searchIndex,
  // A prefix of a tsquery is looked up in the GIN index's own ordered list of lexemes: no list of words to keep.
  searchTerms: () => [],
  searchWordLists: () => [],
  searchWordInitials: () => [],
  afterUpdate,
  extras,
};
