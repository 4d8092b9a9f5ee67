// What is done to FAQs, the same from every contract version (the current one and v1): load one (404/410),
// write, change, publish and delete it (409 on a duplicate question or a change that would not hold
// together), and read the references a body names. A contract keeps only its shape and its own refusals.
import type { Context } from 'koa';
import { type Caller, may } from '../../domain/access.ts';
import { type Faq, type FaqFields, type FaqSource, whyInconsistent } from '../../domain/faqs.ts';
import { callerOf } from '../../http/authentication.ts';
import { writeIfCurrent } from '../../http/conditional.ts';
import { publicOrigin } from '../../http/origin.ts';
import { type FieldError, conflict, gone, invalid } from '../../http/problem.ts';
import { referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import { DuplicateQuestion, type FaqStore } from '../../store/faqs.ts';
import type { Store } from '../../store/index.ts';
import type { TicketStore } from '../../store/tickets.ts';
import { loadResource, pathId } from '../load.ts';

/** The FAQ a path segment names, as the caller may see it: 404 if it never existed (or is a draft they may not read), 410 once deleted. */
function loadFaq(faqs: FaqStore, rawId: string | undefined, caller: Caller): Promise<Faq> {
  return loadResource(rawId, {
    noun: 'FAQ',
    find: (id) => faqs.find(id),
    visible: (faq) => faq.status !== 'draft' || may(caller, 'faq:read-drafts'),
    live: (faq) => (faq.deletedAt === null ? faq : gone(`FAQ ${faq.id} was deleted.`)),
  });
}

/** Runs a write, turning the store's duplicate-question refusal into a 409. */
async function refuseDuplicates<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DuplicateQuestion)
      throw conflict(`An FAQ already asks "${error.question}" (ignoring case and spaces).`);
    throw error;
  }
}

/**
 * The absolute http(s) URI of a ticket on another service, normalised, or undefined. The FAQ service alone cannot
 * look the ticket up (it knows no ticket service): it keeps the URI the ticket service gave, as any link is kept.
 */
export function remoteTicketUri(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.hash === '' && url.username === '' && url.password === ''
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** How a body's `source` is read into the ticket it names, and what is said of one that names none. */
export interface SourceReading {
  read(value: unknown): Promise<FaqSource | undefined>;
  refusal: string;
}

/** Sources as the FAQ service alone takes them: any ticket URI on the ticket service, which it cannot look up. */
export const TICKET_URIS: SourceReading = {
  read: async (value) => remoteTicketUri(value),
  refusal: 'is not the absolute URI of a ticket',
};

/** References a body may hold: its source ticket and related FAQs, by id or URI. */
export interface References {
  source?: unknown;
  related?: unknown[];
}

type ResolvedReferences = Pick<Partial<FaqFields>, 'source' | 'related'>;

function ticketsHere(tickets: TicketStore, ctx: Context): SourceReading {
  return {
    read: async (value) => {
      const id = referencedId(value, endpoints.ticket, publicOrigin(ctx));
      const ticket = id === undefined ? undefined : await tickets.find(id);
      return ticket && ticket.deletedAt === null ? ticket.id : undefined;
    },
    refusal: 'names no ticket',
  };
}

async function resolveReferences(
  faqs: FaqStore,
  ctx: Context,
  body: References,
  sources: SourceReading,
  self?: number,
): Promise<ResolvedReferences> {
  const errors: FieldError[] = [];
  const resolved: ResolvedReferences = {};
  if (body.source === null) resolved.source = null;
  else if (body.source !== undefined) {
    const source = await sources.read(body.source);
    if (source === undefined) errors.push({ pointer: '#/source', detail: sources.refusal });
    else resolved.source = source;
  }
  if (body.related !== undefined) {
    const ids = body.related.map((value) => referencedId(value, endpoints.faq, publicOrigin(ctx)));
    const live = await faqs.liveIds(ids.filter((id): id is number => id !== undefined));
    ids.forEach((id, index) => {
      if (id === undefined || !live.has(id)) errors.push({ pointer: `#/related/${index}`, detail: 'names no FAQ' });
      else if (id === self) errors.push({ pointer: `#/related/${index}`, detail: 'is this FAQ itself' });
      else if (ids.indexOf(id) !== index)
        errors.push({ pointer: `#/related/${index}`, detail: 'repeats an earlier FAQ' });
    });
    resolved.related = ids as number[];
  }
  if (errors.length > 0) throw invalid('Some references lead nowhere.', errors);
  return resolved;
}

const trimmed = <F extends { question?: string }>(fields: F): F =>
  fields.question === undefined ? fields : { ...fields, question: fields.question.trim() };

export function faqOperations({ faqs, tickets }: Pick<Store, 'faqs' | 'tickets'>) {
  const load = (ctx: Context) => loadFaq(faqs, pathId(ctx), callerOf(ctx));

  return {
    load,

    /** Sources as tickets here: a live ticket, by id or by its URI on the origin the request came to. */
    ticketsHere: (ctx: Context) => ticketsHere(tickets, ctx),
    /** Turns the ids or URIs of a body into ids of live resources, naming every reference that leads nowhere. */
    resolve: (ctx: Context, body: References, sources: SourceReading, self?: number) =>
      resolveReferences(faqs, ctx, body, sources, self),

    create: (fields: FaqFields) => refuseDuplicates(() => faqs.create(trimmed(fields))),

    /** Replaces the FAQ the path names with a whole one, already checked to hold together. */
    replace: (ctx: Context, fields: FaqFields) =>
      refuseDuplicates(() =>
        writeIfCurrent(
          ctx,
          () => load(ctx),
          (latest) => faqs.update(latest.id, latest.version, trimmed(fields)),
        ),
      ),

    /** Changes some fields of the FAQ the path names: a 409 when the changed FAQ would not hold together. */
    change(ctx: Context, changes: Partial<FaqFields>): Promise<Faq> {
      const fields = trimmed(changes);
      return refuseDuplicates(() =>
        writeIfCurrent(
          ctx,
          () => load(ctx),
          (latest) => {
            const reason = whyInconsistent({ ...latest, ...fields });
            if (reason) throw conflict(reason);
            return faqs.update(latest.id, latest.version, fields);
          },
        ),
      );
    },

    publish: (ctx: Context) =>
      writeIfCurrent(
        ctx,
        () => load(ctx),
        async (current) => {
          if (current.status === 'published') return current; // already done: publishing again changes nothing
          const reason = whyInconsistent({ ...current, status: 'published' });
          if (reason) throw conflict(reason);
          return faqs.update(current.id, current.version, { status: 'published' });
        },
      ),

    /** Deletes the FAQ the path names, and answers 204. */
    async remove(ctx: Context): Promise<void> {
      await writeIfCurrent(
        ctx,
        () => load(ctx),
        (current) => faqs.markDeleted(current.id, current.version),
      );
      ctx.status = 204;
    },
  };
}

export type FaqOperations = ReturnType<typeof faqOperations>;
