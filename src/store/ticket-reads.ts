// The hot reads of tickets (one by id, a page of live ones), behind one contract: on SQLite through statements
// prepared once and read as raw rows, on PostgreSQL through Kysely. Queries built from a request's filters (text,
// requester, import) stay in TicketStore, with Kysely.
import type SQLite from 'better-sqlite3';
import type { Insertable, Kysely } from 'kysely';
import type { Ticket, TicketPriority, TicketStatus } from '../domain/tickets.ts';
import { countLive, counterNames } from './counters.ts';
import { type Slice, inSlice } from './pagination.ts';
import type { Database, TicketsTable } from './schema.ts';

export interface TicketReads {
  find(id: number): Promise<Ticket | undefined>;
  /** Live tickets (of one status, if given) in the slice, in the slice's order. */
  slice(status: TicketStatus | undefined, slice: Slice): Promise<Ticket[]>;
  /** How many live tickets there are (of one status, if given), from the counters triggers keep. */
  countLive(status: TicketStatus | undefined): Promise<number>;
}

export type TicketRow = Omit<TicketsTable, 'id'> & { id: number };

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status as TicketStatus,
    priority: row.priority as TicketPriority,
    requester: row.requester,
    assignee: row.assignee,
    tags: JSON.parse(row.tags) as string[],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    mergedInto: row.merged_into,
  };
}

/** Every engine: Kysely builds, compiles and runs each read. */
export function kyselyTicketReads(db: Kysely<Database>): TicketReads {
  return {
    async find(id) {
      const row = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTicket(row);
    },
    async slice(status, slice) {
      let query = db.selectFrom('tickets').selectAll().where('deleted_at', 'is', null).where('merged_into', 'is', null);
      if (status) query = query.where('status', '=', status);
      const rows = await inSlice(query, slice).execute();
      return rows.map(toTicket);
    },
    countLive(status) {
      return countLive(db, 'tickets', status);
    },
  };
}

/** The columns in the order the raw rows below hold them. */
const COLUMNS =
  'id, title, description, status, priority, requester, assignee, tags, version, created_at, updated_at, deleted_at, merged_into';

type RawRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  string | null,
  string,
  number,
  string,
  string,
  string | null,
  number | null,
];

/** A raw row as a ticket: arrays cost far less to make than row objects (each column a new hidden class). */
function rawTicket(row: RawRow): Ticket {
  return {
    id: row[0],
    title: row[1],
    description: row[2],
    status: row[3] as TicketStatus,
    priority: row[4] as TicketPriority,
    requester: row[5],
    assignee: row[6],
    tags: JSON.parse(row[7]) as string[],
    version: row[8],
    createdAt: row[9],
    updatedAt: row[10],
    deletedAt: row[11],
    mergedInto: row[12],
  };
}

/**
 * SQLite: each read is one statement prepared at start (or on its first use) and run again with new parameters.
 * They run on Kysely's own connection but not through its mutex, so while that connection is inside a
 * transaction (a group commit under way) they would see its uncommitted rows: then `fallback` (Kysely) is used,
 * which waits for the transaction to end.
 */
export function preparedTicketReads(database: SQLite.Database, fallback: TicketReads): TicketReads {
  const byId = database.prepare(`SELECT ${COLUMNS} FROM tickets WHERE id = ?`).raw(true);
  const count = database.prepare('SELECT coalesce(sum(value), 0) FROM counters WHERE name LIKE ?').pluck(true);
  const slices = new Map<string, SQLite.Statement>();
  /** One statement per shape of slice (status or not, cursor or not, order): twelve at most. */
  function sliceStatement(status: boolean, slice: Slice): SQLite.Statement {
    const cursor = slice.after !== undefined ? 'after' : slice.before !== undefined ? 'before' : '';
    const key = `${status}:${cursor}:${slice.order}`;
    let statement = slices.get(key);
    if (!statement) {
      const where = ['deleted_at IS NULL', 'merged_into IS NULL'];
      if (status) where.push('status = ?');
      if (cursor === 'after') where.push('id > ?');
      if (cursor === 'before') where.push('id < ?');
      statement = database
        .prepare(
          `SELECT ${COLUMNS} FROM tickets WHERE ${where.join(' AND ')} ORDER BY id ${slice.order} LIMIT ? OFFSET ?`,
        )
        .raw(true);
      slices.set(key, statement);
    }
    return statement;
  }
  return {
    async find(id) {
      if (database.inTransaction) return fallback.find(id);
      const row = byId.get(id) as RawRow | undefined;
      return row && rawTicket(row);
    },
    async slice(status, slice) {
      if (database.inTransaction) return fallback.slice(status, slice);
      const parameters: (string | number)[] = [];
      if (status) parameters.push(status);
      if (slice.after !== undefined) parameters.push(slice.after);
      if (slice.before !== undefined) parameters.push(slice.before);
      parameters.push(slice.limit, slice.offset);
      return (sliceStatement(status !== undefined, slice).all(...parameters) as RawRow[]).map(rawTicket);
    },
    async countLive(status) {
      if (database.inTransaction) return fallback.countLive(status);
      return Number(count.get(counterNames('tickets', status)));
    },
  };
}

/** Inserts a new ticket row and returns the ticket, inside the write transaction under way. */
export type TicketInsert = (row: Insertable<TicketsTable>) => Ticket;

/**
 * SQLite: the insert of a create as one statement prepared once. It runs on Kysely's connection, so it must run
 * inside a write (Writes.run), whose transaction holds that connection: then it is part of that transaction.
 * Without RETURNING, which SQLite answers by buffering the row in a table of its own and reading it back (half
 * the statement's own cost): nothing changes a ticket row on its way in (no column has a default besides the
 * id, and the triggers write only to other tables), so the ticket is the row given with the id SQLite chose.
 */
export function preparedTicketInsert(database: SQLite.Database): TicketInsert {
  const insert =
    database.prepare(`INSERT INTO tickets (title, description, status, priority, requester, assignee, tags, version, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return (row) => {
    if (!database.inTransaction) throw new Error('a ticket is inserted only inside a write transaction');
    // In the statement's column order; the ticket read back is the same values after the id SQLite chose.
    const values = [
      row.title,
      row.description,
      row.status,
      row.priority,
      row.requester,
      row.assignee ?? null,
      row.tags,
      row.version,
      row.created_at,
      row.updated_at,
    ] as const;
    const { lastInsertRowid } = insert.run(...values);
    return rawTicket([Number(lastInsertRowid), ...values, null, null]);
  };
}
