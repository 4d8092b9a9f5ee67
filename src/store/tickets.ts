// Queries for tickets. Writes are guarded by the row's version, so a change decided on a stale read never lands.
import { type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Ticket, TicketFields, TicketPriority, TicketStatus } from '../domain/tickets.ts';
import { readPage } from './listing.ts';
import type { Page, PageRequest } from './pagination.ts';
import type { Database, TicketsTable } from './schema.ts';
import { type TicketInsert, type TicketReads, toTicket } from './ticket-reads.ts';
import type { TextSearch } from './text-search.ts';
import type { Writes } from './writes.ts';

export interface TicketFilter {
  status?: TicketStatus;
  q?: string;
  /** Only this requester's tickets (what a requester sees). */
  requester?: string;
  /** Only the tickets this bulk import created. */
  importId?: number;
}

function toColumns(fields: Partial<TicketFields>): Updateable<TicketsTable> {
  const columns: Updateable<TicketsTable> = {};
  if (fields.title !== undefined) columns.title = fields.title;
  if (fields.description !== undefined) columns.description = fields.description;
  if (fields.status !== undefined) columns.status = fields.status;
  if (fields.priority !== undefined) columns.priority = fields.priority;
  if (fields.requester !== undefined) columns.requester = fields.requester;
  if (fields.assignee !== undefined) columns.assignee = fields.assignee;
  if (fields.tags !== undefined) columns.tags = JSON.stringify(fields.tags);
  return columns;
}

const now = () => new Date().toISOString();

export class TicketStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly textSearch: TextSearch,
    private readonly writes: Writes,
    private readonly reads: TicketReads,
    /** SQLite: a create's insert prepared once; elsewhere Kysely's. */
    private readonly insert?: TicketInsert,
  ) {}

  find(id: number): Promise<Ticket | undefined> {
    return this.reads.find(id);
  }

  /** Neither text, requester nor import: the listing the hot reads serve. */
  private static plain(filter: TicketFilter): boolean {
    return filter.q === undefined && filter.requester === undefined && filter.importId === undefined;
  }

  async create(fields: TicketFields): Promise<Ticket> {
    const { insert } = this;
    if (insert) return this.writes.run(async () => insert(newTicketRow(fields)));
    const row = await this.writes.run((db) => db.insertInto('tickets').values(newTicketRow(fields)).returningAll().executeTakeFirstOrThrow());
    return toTicket(row);
  }

  /** Applies changes if the ticket is still at `version`; undefined when it has moved on meanwhile. */
  async update(id: number, version: number, fields: Partial<TicketFields>): Promise<Ticket | undefined> {
    return this.guardedUpdate(id, version, toColumns(fields));
  }

  async markDeleted(id: number, version: number): Promise<Ticket | undefined> {
    return this.guardedUpdate(id, version, { deleted_at: now() });
  }

  /** Closes the ticket as merged into another one. */
  async markMerged(id: number, version: number, into: number): Promise<Ticket | undefined> {
    return this.guardedUpdate(id, version, { status: 'closed', merged_into: into });
  }

  private async guardedUpdate(id: number, version: number, columns: Updateable<TicketsTable>): Promise<Ticket | undefined> {
    const row = await this.writes.run((db) => db
      .updateTable('tickets')
      .set({ ...columns, version: version + 1, updated_at: now() })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst());
    return row && toTicket(row);
  }

  private live(filter: TicketFilter) {
    let query = this.db
      .selectFrom('tickets')
      .where('deleted_at', 'is', null)
      .where('merged_into', 'is', null);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.requester !== undefined) query = query.where('requester', '=', filter.requester);
    if (filter.q !== undefined) query = query.where(this.textSearch.matches('tickets', filter.q));
    if (filter.importId !== undefined) {
      const importId = filter.importId;
      query = query.where('id', 'in', (eb) => eb.selectFrom('import_rows').select('ticket_id').where('import_id', '=', importId).where('ticket_id', 'is not', null));
    }
    return query;
  }

  async count(filter: TicketFilter): Promise<number> {
    // Counters kept by triggers: a page of a million tickets must not count them each time.
    if (TicketStore.plain(filter)) return this.reads.countLive(filter.status);
    const { n } = await this.live(filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  async list(filter: TicketFilter, request: PageRequest): Promise<Page<Ticket>> {
    if (TicketStore.plain(filter)) return readPage(request, () => this.count(filter), (slice) => this.reads.slice(filter.status, slice));
    const page = await readPage(request, () => this.count(filter), async (slice) => {
      let query = this.live(filter).selectAll();
      if (slice.after !== undefined) query = query.where('id', '>', slice.after);
      if (slice.before !== undefined) query = query.where('id', '<', slice.before);
      return query.orderBy('id', slice.order).limit(slice.limit).offset(slice.offset).execute();
    });
    return { ...page, items: page.items.map(toTicket) };
  }

  /** The best matches for free text, best first. */
  async search(text: string, limit: number, filter: TicketFilter = {}): Promise<Ticket[]> {
    const rows = await this.live(filter)
      .innerJoin(this.textSearch.rankedMatches('tickets', text).as('m'), 'm.id', 'tickets.id')
      .selectAll('tickets')
      .orderBy('m.rank')
      .limit(limit)
      .execute();
    return rows.map(toTicket);
  }
}

/** The columns of a new ticket, for writers that insert tickets inside a transaction of their own (bulk imports). */
export function newTicketRow(fields: TicketFields, at = now()): Insertable<TicketsTable> {
  return {
    title: fields.title,
    description: fields.description,
    status: fields.status,
    priority: fields.priority,
    requester: fields.requester,
    assignee: fields.assignee,
    tags: JSON.stringify(fields.tags),
    version: 1,
    created_at: at,
    updated_at: at,
  };
}
