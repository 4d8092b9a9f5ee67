// Queries for FAQs and their related FAQs. A duplicate question surfaces as DuplicateQuestion, not as a crash.
import type { Kysely, Transaction, Updateable } from 'kysely';
import { type Faq, type FaqFields, type FaqSource, type FaqStatus, questionKey } from '../domain/faqs.ts';
import { now } from './clock.ts';
import { countLive } from './counters.ts';
import { isUniqueViolation } from './errors.ts';
import { type Page, type PageRequest, countRows, inSlice, readPage } from './pagination.ts';
import type { Database, FaqsTable } from './schema.ts';
import type { TextSearch } from './text-search.ts';
import { updateVersioned } from './versions.ts';
import type { Writes } from './writes.ts';

export interface FaqFilter {
  status?: FaqStatus;
  q?: string;
  source?: FaqSource;
  /** Leave drafts out (what callers who may not read drafts see). */
  onlyPublished?: boolean;
}

export class DuplicateQuestion extends Error {
  constructor(readonly question: string) {
    super(`An FAQ already asks "${question}".`);
  }
}

type Row = Omit<FaqsTable, 'id'> & { id: number };
type Executor = Kysely<Database> | Transaction<Database>;

function toFaq(row: Row, related: number[], publishedRelated: number[]): Faq {
  return {
    publishedRelated,
    id: row.id,
    question: row.question,
    answer: row.answer,
    status: row.status as FaqStatus,
    source: row.source_ticket_id ?? row.source_uri,
    related,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

function toColumns(fields: Partial<FaqFields>): Updateable<FaqsTable> {
  const columns: Updateable<FaqsTable> = {};
  if (fields.question !== undefined) {
    columns.question = fields.question;
    columns.question_key = questionKey(fields.question);
  }
  if (fields.answer !== undefined) columns.answer = fields.answer;
  if (fields.status !== undefined) columns.status = fields.status;
  if (fields.source !== undefined) Object.assign(columns, sourceColumns(fields.source));
  return columns;
}

/** A source goes to one of two columns: a ticket id here, or a ticket's URI on another service. */
function sourceColumns(source: FaqSource | null): Pick<FaqsTable, 'source_ticket_id' | 'source_uri'> {
  if (typeof source === 'string') return { source_ticket_id: null, source_uri: source };
  return { source_ticket_id: source, source_uri: null };
}

async function translateDuplicate<T>(question: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateQuestion(question ?? '');
    throw error;
  }
}

export class FaqStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly textSearch: TextSearch,
    private readonly writes: Writes,
  ) {}

  async find(id: number): Promise<Faq | undefined> {
    const row = await this.db.selectFrom('faqs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && (await this.withRelated([row]))[0];
  }

  /** The live FAQ promoted from a ticket, if there is one. */
  async findBySource(source: FaqSource): Promise<Faq | undefined> {
    const row = await this.live({ source }).selectAll().orderBy('id').executeTakeFirst();
    return row && (await this.withRelated([row]))[0];
  }

  /** Which of these ids name live FAQs. */
  async liveIds(ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.live({}).select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  async create(fields: FaqFields): Promise<Faq> {
    return translateDuplicate(fields.question, () =>
      this.writes.run(async (trx) => {
        const at = now();
        const row = await trx
          .insertInto('faqs')
          .values({
            question: fields.question,
            question_key: questionKey(fields.question),
            answer: fields.answer,
            status: fields.status,
            ...sourceColumns(fields.source),
            version: 1,
            created_at: at,
            updated_at: at,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.replaceRelated(trx, row.id, fields.related);
        const [created] = await this.withRelated([row], trx);
        if (created === undefined) throw new Error(`FAQ ${row.id} was written but could not be read back`);
        return created;
      }),
    );
  }

  /** Applies changes if the FAQ is still at `version`; undefined when it has moved on meanwhile. */
  async update(id: number, version: number, fields: Partial<FaqFields>): Promise<Faq | undefined> {
    return translateDuplicate(fields.question, () =>
      this.writes.run(async (trx) => {
        const row = await updateVersioned(trx, 'faqs', id, version, toColumns(fields));
        if (!row) return undefined;
        if (fields.related !== undefined) await this.replaceRelated(trx, id, fields.related);
        return (await this.withRelated([row], trx))[0];
      }),
    );
  }

  async markDeleted(id: number, version: number): Promise<Faq | undefined> {
    return this.writes.run(async (trx) => {
      const row = await updateVersioned(trx, 'faqs', id, version, { deleted_at: now() });
      if (!row) return undefined;
      // FAQs that listed this one now show one related FAQ fewer: a new version, so their ETags change too.
      await trx
        .updateTable('faqs')
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('id', 'in', (eb) => eb.selectFrom('faq_related').select('faq_id').where('related_id', '=', id))
        .execute();
      return (await this.withRelated([row], trx))[0];
    });
  }

  private async replaceRelated(trx: Executor, id: number, related: readonly number[]): Promise<void> {
    await trx.deleteFrom('faq_related').where('faq_id', '=', id).execute();
    if (related.length === 0) return;
    await trx
      .insertInto('faq_related')
      .values(related.map((relatedId, position) => ({ faq_id: id, related_id: relatedId, position })))
      .execute();
  }

  /** Attaches each FAQ's related ids, leaving out FAQs deleted since (one query for the whole batch). */
  private async withRelated(rows: Row[], db: Executor = this.db): Promise<Faq[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('faq_related')
      .innerJoin('faqs', 'faqs.id', 'faq_related.related_id')
      .select(['faq_related.faq_id', 'faq_related.related_id', 'faqs.status'])
      .where(
        'faq_related.faq_id',
        'in',
        rows.map((r) => r.id),
      )
      .where('faqs.deleted_at', 'is', null)
      .orderBy('faq_related.faq_id')
      .orderBy('faq_related.position')
      .execute();
    const related = new Map<number, number[]>();
    const published = new Map<number, number[]>();
    for (const link of links) {
      related.set(link.faq_id, [...(related.get(link.faq_id) ?? []), link.related_id]);
      if (link.status === 'published')
        published.set(link.faq_id, [...(published.get(link.faq_id) ?? []), link.related_id]);
    }
    return rows.map((row) => toFaq(row, related.get(row.id) ?? [], published.get(row.id) ?? []));
  }

  private live(filter: FaqFilter) {
    let query = this.db.selectFrom('faqs').where('deleted_at', 'is', null);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.onlyPublished) query = query.where('status', '=', 'published');
    if (typeof filter.source === 'number') query = query.where('source_ticket_id', '=', filter.source);
    if (typeof filter.source === 'string') query = query.where('source_uri', '=', filter.source);
    if (filter.q !== undefined) query = query.where(this.textSearch.matches('faqs', filter.q));
    return query;
  }

  async count(filter: FaqFilter): Promise<number> {
    if (filter.q !== undefined || filter.source !== undefined) return countRows(this.live(filter));
    if (filter.onlyPublished && filter.status === 'draft') return 0;
    return countLive(this.db, 'faqs', filter.onlyPublished ? 'published' : filter.status);
  }

  async list(filter: FaqFilter, request: PageRequest): Promise<Page<Faq>> {
    const page = await readPage(
      request,
      () => this.count(filter),
      (slice) => inSlice(this.live(filter).selectAll(), slice).execute(),
    );
    return { ...page, items: await this.withRelated(page.items) };
  }

  async search(text: string, limit: number, filter: FaqFilter = {}): Promise<Faq[]> {
    const rows = await this.live(filter)
      .innerJoin(this.textSearch.rankedMatches('faqs', text).as('m'), 'm.id', 'faqs.id')
      .selectAll('faqs')
      .orderBy('m.rank')
      .limit(limit)
      .execute();
    return this.withRelated(rows);
  }
}
