// Queries for tickets. Writes are guarded by the row's version, so a change decided on a stale read never lands.
import { type Insertable, type Kysely, type RawBuilder, type SelectQueryBuilder, type Updateable, sql } from 'kysely';
import type { Ticket, TicketFields, TicketStatus } from '../domain/tickets.ts';
import { now } from './clock.ts';
import { type MatchPage, type MatchQueries, readMatches, wordScore } from './matches.ts';
import { type Page, type PageRequest, type Slice, countRows, inSlice, readPage } from './pagination.ts';
import type { Database, TicketsTable } from './schema.ts';
import { type TicketInsert, type TicketReads, type TicketRow, toTicket } from './ticket-reads.ts';
import { PLAN_ONCE, type PreparedMatch, type TextSearch, constant, indexedWords, searchWords } from './text-search.ts';
import { updateVersioned } from './versions.ts';
import type { Writes } from './writes.ts';

export interface TicketFilter {
  status?: TicketStatus;
  q?: string;
  /** Only this requester's tickets (what a requester sees). */
  requester?: string;
  /** Only the tickets this bulk import created. */
  importId?: number;
}

/** Who runs a store's searches for it, on a connection of its own (SQLite: the search thread). */
export interface TicketSearcher {
  matching(text: string, filter: TicketFilter, request: PageRequest): Promise<MatchPage<Ticket>>;
}

/** Matches ranked and counted exactly up to here (SEARCH_BOUND). */
export const DEFAULT_SEARCH_BOUND = 200;

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

/** How relevant a ticket is to the words of a query: its title counts most, then its tags, then its description. */
function relevance(text: string) {
  const words = (searchWords(text) ?? []).flatMap(indexedWords);
  return (ticket: Ticket) =>
    wordScore(words, [
      { words: indexedWords(ticket.title), weight: 3 },
      { words: ticket.tags.flatMap(indexedWords), weight: 2 },
      { words: indexedWords(ticket.description), weight: 1 },
    ]);
}

export class TicketStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly textSearch: TextSearch,
    private readonly writes: Writes,
    private readonly reads: TicketReads,
    /** SQLite: a create's insert prepared once; elsewhere Kysely's. */
    private readonly insert?: TicketInsert,
    /** Searches with at most this many matches are ranked and counted exactly (see matches.ts). */
    private readonly searchBound: number = DEFAULT_SEARCH_BOUND,
    /** Who runs this store's searches instead, on a connection of its own (SQLite: the search thread). */
    private readonly searcher?: TicketSearcher,
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
    const row = await this.writes.run((db) =>
      db.insertInto('tickets').values(newTicketRow(fields)).returningAll().executeTakeFirstOrThrow(),
    );
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

  private async guardedUpdate(
    id: number,
    version: number,
    columns: Updateable<TicketsTable>,
  ): Promise<Ticket | undefined> {
    const row = await this.writes.run((db) => updateVersioned(db, 'tickets', id, version, columns));
    return row && toTicket(row);
  }

  private live(filter: TicketFilter, from = this.db.selectFrom('tickets')) {
    let query = from.where('deleted_at', 'is', null).where('merged_into', 'is', null);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.requester !== undefined) query = query.where('requester', '=', filter.requester);
    if (filter.q !== undefined) query = query.where(this.textSearch.matches('tickets', filter.q));
    if (filter.importId !== undefined) {
      const importId = filter.importId;
      query = query.where('id', 'in', (eb) =>
        eb
          .selectFrom('import_rows')
          .select('ticket_id')
          .where('import_id', '=', importId)
          .where('ticket_id', 'is not', null),
      );
    }
    return query;
  }

  async count(filter: TicketFilter): Promise<number> {
    // Counters kept by triggers: a page of a million tickets must not count them each time.
    if (TicketStore.plain(filter)) return this.reads.countLive(filter.status);
    return countRows(this.live(filter));
  }

  async list(filter: TicketFilter, request: PageRequest): Promise<Page<Ticket> | MatchPage<Ticket>> {
    if (filter.q !== undefined) return this.matching(filter.q, filter, request);
    if (TicketStore.plain(filter))
      return readPage(
        request,
        () => this.count(filter),
        (slice) => this.reads.slice(filter.status, slice),
      );
    const page = await readPage(
      request,
      () => this.count(filter),
      (slice) => inSlice(this.live(filter).selectAll(), slice).execute(),
    );
    return { ...page, items: page.items.map(toTicket) };
  }

  /** The best matches for free text (best first, or newest first when they are too many to rank), and their count. */
  async search(text: string, limit: number, filter: TicketFilter = {}): Promise<MatchPage<Ticket>> {
    return this.matching(text, filter, { number: 1, size: limit });
  }

  /** A page of the matches for free text (TicketSearcher: what the search thread runs, asked by a store of the main thread). */
  async matching(text: string, filter: TicketFilter, request: PageRequest): Promise<MatchPage<Ticket>> {
    if (this.searcher) return this.searcher.matching(text, filter, request);
    const prepared = await this.textSearch.prepare(this.db, 'tickets', text, this.searchBound);
    const queries: MatchQueries<Ticket> = prepared
      ? this.matchQueries(prepared, text, filter)
      : { indexed: async () => 0, count: async () => 0, rows: async () => [], few: async () => [] };
    return readMatches(request, this.searchBound, queries, relevance(text));
  }

  /** A search's queries, driven by the full-text index in id order; a requester's by their own tickets. */
  private matchQueries(match: PreparedMatch, text: string, filter: TicketFilter): MatchQueries<Ticket> {
    const { q: _, ...others } = filter;
    const indexed = (atMost: number) => this.indexedMatches(match, atMost);
    if (filter.requester === undefined) return { indexed, ...this.visibleMatches(match, others) };
    const own = this.ownMatches(text, others);
    return {
      indexed,
      ...own,
      few: () => own.rows({ order: 'desc', offset: 0, limit: Number.MAX_SAFE_INTEGER, reverse: false }),
    };
  }

  /** Rows of the index that match, whoever may see them, counted no further than `atMost`. */
  private async indexedMatches(match: PreparedMatch, atMost: number): Promise<number> {
    if (match.ids) return Math.min(match.ids.length, atMost);
    if ((match.atLeast ?? 0) >= atMost) return atMost;
    return this.countOf(this.indexSample(match), atMost);
  }

  /** The index's matching rows, as a query to count. */
  private indexSample(match: PreparedMatch) {
    return this.db
      .selectFrom(match.index)
      .select(sql`1`.as('one'))
      .where(match.condition);
  }

  /** How many rows a query gives, counted no further than `atMost`. */
  private async countOf<DB, TB extends keyof DB>(
    query: SelectQueryBuilder<DB, TB, { one: unknown }>,
    atMost: number,
  ): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT ${countedTo(query, atMost)} AS n`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /** The live tickets that match, walked from the index in its id order (CROSS JOIN keeps SQLite from reordering). */
  private liveMatches(match: PreparedMatch, filter: TicketFilter) {
    return this.live(
      filter,
      this.db
        .selectFrom(match.index)
        .crossJoin('tickets')
        .where(sql<boolean>`tickets.id = ${match.key}`)
        .where(match.condition),
    );
  }

  /** Every caller's matches (no requester): counted and paged from the index. */
  private visibleMatches(match: PreparedMatch, filter: TicketFilter): Omit<MatchQueries<Ticket>, 'indexed'> {
    return {
      partial: match.partial,
      count: (atMost) => this.countOf(this.liveMatches(match, filter).select(sql`1`.as('one')), atMost),
      rows: async (slice: Slice) => {
        let query = this.liveMatches(match, filter).selectAll('tickets');
        if (slice.after !== undefined) query = query.where(sql<boolean>`${match.key} > ${slice.after}`);
        if (slice.before !== undefined) query = query.where(sql<boolean>`${match.key} < ${slice.before}`);
        const rows = await query.orderBy(match.key, slice.order).limit(slice.limit).offset(slice.offset).execute();
        return rows.map(toTicket);
      },
      few: () => this.fewMatches(match, filter),
      // With its ids known, the index's count needs no statement: the few are read at once.
      ...(match.joinedStatements && !match.ids ? { counts: (atMost) => this.bothCounts(match, filter, atMost) } : {}),
      ...(match.matches
        ? { firstPage: (...page) => this.firstPage(match, filter, ...page) }
        : match.joinedStatements && !match.ids
          ? { firstPage: (...page) => this.countsAndPage(match, filter, ...page) }
          : {}),
    };
  }

  /**
   * MatchQueries.firstPage: the engine's matches read once (a MATERIALIZED CTE), then both counts, and the page
   * (or, when the index holds fewer than `atMost`, every visible match, to rank), all in one statement. On
   * PostgreSQL it is prepared and planned once (PLAN_ONCE: its shape is fixed by the CTE and the subqueries,
   * whatever the words; parsing and planning it cost 0.7–0.9 ms a search, more than running it). The page is
   * chosen as ids, then joined to its tickets: SQLite sorts whatever a sorted query selects.
   */
  private async firstPage(match: PreparedMatch, filter: TicketFilter, offset: number, size: number, atMost: number) {
    const read = (index: RawBuilder<{ id: number }>): PreparedMatch => ({
      ...match,
      index: index.as('m'),
      key: sql<number>`m.id`,
      condition: sql<boolean>`true`,
    });
    // The page is read newest first (sorted here: the planner knows no order of a CTE); counts need no order. The
    // LIMIT keeps SQLite from flattening the sorted ids into the join, where it would look up every match's ticket
    // and sort them all (0.15 ms more for "case 123"): sorted first, the join stops at the page.
    const once = read(
      sql`(SELECT id FROM helpdesk_matches ORDER BY id DESC LIMIT ${constant(Number.MAX_SAFE_INTEGER)})`,
    );
    const unordered = read(sql`(SELECT id FROM helpdesk_matches)`);
    const few = sql<boolean>`(SELECT indexed FROM counts) < ${constant(atMost)}`;
    const page = this.liveMatches(once, filter)
      .select(once.key.as('id'))
      .orderBy(once.key, 'desc')
      .limit(sql<number>`CASE WHEN ${few} THEN ${constant(atMost)} ELSE ${integer(size)} END`)
      .offset(sql<number>`CASE WHEN ${few} THEN 0 ELSE ${integer(offset)} END`);
    const visible = this.liveMatches(unordered, filter).select(sql`1`.as('one'));
    const { rows: found } = await sql<Partial<TicketRow> & { indexed: string | number; counted: string | number }>`
      WITH helpdesk_matches AS MATERIALIZED ${match.matches},
      counts AS (SELECT ${countedTo(this.indexSample(unordered), atMost)} AS indexed, ${countedTo(visible, atMost)} AS counted),
      page AS ${page}
      SELECT counts.indexed, counts.counted, p.* FROM counts
      LEFT JOIN (SELECT tickets.* FROM page JOIN tickets ON tickets.id = page.id) AS p ON true ${sql.raw(PLAN_ONCE)}`.execute(
      this.db,
    );
    return countedRows(found);
  }

  /**
   * MatchQueries.firstPage where the index is walked rather than read whole (SQLite's whole words, and the newest
   * rows' lists when their words are common): both counts, then every visible match when the index holds fewer
   * than `atMost` (to rank; read in the index's order, which FTS5 walks cheaply), else the page newest first, in
   * one statement (two cost more on SQLite's search thread, and were each a message there and back before it ran
   * whole searches). The branch not taken is LIMIT 0,
   * which SQLite checks before it opens the index: under a WHERE it would still seek, newest first, 0.4 ms back
   * through "case" for "case 123456".
   */
  private async countsAndPage(
    match: PreparedMatch,
    filter: TicketFilter,
    offset: number,
    size: number,
    atMost: number,
  ) {
    const few = sql<boolean>`(SELECT indexed FROM counts) < ${constant(atMost)}`;
    const every = this.liveMatches(match, filter)
      .selectAll('tickets')
      .limit(sql<number>`CASE WHEN ${few} THEN ${constant(atMost)} ELSE 0 END`);
    const page = this.liveMatches(match, filter)
      .selectAll('tickets')
      .orderBy(match.key, 'desc')
      .limit(sql<number>`CASE WHEN ${few} THEN 0 ELSE ${integer(size)} END`)
      .offset(integer(offset));
    const visible = this.liveMatches(match, filter).select(sql`1`.as('one'));
    const { rows: found } = await sql<Partial<TicketRow> & { indexed: number; counted: number }>`
      WITH counts AS MATERIALIZED (SELECT ${countedTo(this.indexSample(match), atMost)} AS indexed, ${countedTo(visible, atMost)} AS counted)
      SELECT counts.indexed, counts.counted, p.* FROM counts
      LEFT JOIN (SELECT * FROM ${every} UNION ALL SELECT * FROM ${page}) AS p ON true`.execute(this.db);
    return countedRows(found);
  }

  /**
   * The index's few ids first, then those tickets by key: joined in one query, PostgreSQL's planner (which cannot
   * tell how few a prefix matches) hashes the whole tickets table against them. Where statements are joined
   * (PreparedMatch.joinedStatements), one query: SQLite walks the index first and looks each ticket up by its key.
   */
  private async fewMatches(match: PreparedMatch, filter: TicketFilter): Promise<Ticket[]> {
    if (match.ids?.length === 0) return [];
    if (match.joinedStatements)
      return (await this.liveMatches(match, filter).selectAll('tickets').execute()).map(toTicket);
    const ids =
      match.ids ??
      (await this.db.selectFrom(match.index).select(match.key.as('id')).where(match.condition).execute()).map(
        ({ id }) => id,
      );
    if (ids.length === 0) return [];
    return (await this.live(filter).selectAll().where('id', 'in', ids).execute()).map(toTicket);
  }

  /** indexedMatches and visibleMatches' count in one statement, each no further than `atMost`. */
  private async bothCounts(match: PreparedMatch, filter: TicketFilter, atMost: number) {
    const visible = this.liveMatches(match, filter).select(sql`1`.as('one'));
    const { rows } = await sql<{ indexed: number; counted: number }>`SELECT
      ${countedTo(this.indexSample(match), atMost)} AS indexed, ${countedTo(visible, atMost)} AS counted`.execute(
      this.db,
    );
    return { indexed: Number(rows[0]?.indexed ?? 0), counted: Number(rows[0]?.counted ?? 0) };
  }

  /**
   * A requester's matches: their own tickets (an index of a few rows), read in id order and matched here word by
   * word as the index would. Walking a common word's matches in the index for the few that are theirs would read
   * the whole index; asking the index about each of their tickets costs a lookup per ticket (or a prefix merge).
   */
  private ownMatches(text: string, filter: TicketFilter): Omit<MatchQueries<Ticket>, 'indexed' | 'few'> {
    const matches = textMatcher(text);
    const CHUNK = 200;
    const walk = async function* (this: TicketStore, order: 'asc' | 'desc', after?: number, before?: number) {
      for (;;) {
        let query = this.live(filter).selectAll();
        if (after !== undefined) query = query.where('id', '>', after);
        if (before !== undefined) query = query.where('id', '<', before);
        const rows = await query.orderBy('id', order).limit(CHUNK).execute();
        for (const row of rows) {
          const ticket = toTicket(row);
          if (matches(ticket)) yield ticket;
        }
        if (rows.length < CHUNK) return;
        const last = rows.at(-1);
        if (last === undefined) return;
        if (order === 'desc') before = last.id;
        else after = last.id;
      }
    }.bind(this);
    return {
      count: async (atMost) => {
        let n = 0;
        for await (const _ of walk('desc')) if (++n >= atMost) break;
        return n;
      },
      rows: async (slice: Slice) => {
        const found: Ticket[] = [];
        let skip = slice.offset;
        for await (const ticket of walk(slice.order, slice.after, slice.before)) {
          if (skip > 0) skip -= 1;
          else if (found.push(ticket) >= slice.limit) break;
        }
        return found;
      },
    };
  }
}

/** How many rows a query gives, counted no further than `atMost`, as a value to select. */
function countedTo<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, { one: unknown }>, atMost: number) {
  return sql<number>`(SELECT count(*) FROM ${query.limit(constant(atMost))} AS sample)`;
}

/** A parameter typed for PostgreSQL, which cannot tell a parameter's type inside CASE (SQLite reads it as is). */
const integer = (value: number) => sql<number>`CAST(${value} AS integer)`;

/** A statement's counts and tickets (none, when the counts' one row met no ticket), the newest first. */
function countedRows(found: (Partial<TicketRow> & { indexed: string | number; counted: string | number })[]) {
  return {
    indexed: Number(found[0]?.indexed ?? 0),
    counted: Number(found[0]?.counted ?? 0),
    rows: found.flatMap((row) => (row.id == null ? [] : [toTicket(row as TicketRow)])).sort((a, b) => b.id - a.id),
  };
}

/** Whether a ticket holds every word of the text as the beginning of one of its words (what the index matches). */
function textMatcher(text: string): (ticket: Ticket) => boolean {
  const words = (searchWords(text) ?? []).flatMap(indexedWords);
  return (ticket) => {
    const own = [ticket.title, ticket.description, ...ticket.tags].flatMap(indexedWords);
    return words.every((word) => own.some((candidate) => candidate.startsWith(word)));
  };
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
