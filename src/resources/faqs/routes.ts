// HTTP for FAQs: the collection and each FAQ. Tickets and other FAQs are named by id or URI.
import type { Context } from 'koa';
import { FAQ_DEFAULTS, FAQ_STATUSES, type Faq, type FaqFields, type FaqSource, whyInconsistent } from '../../domain/faqs.ts';
import { type Caller, may, ticketOwner } from '../../domain/access.ts';
import { callerOf, requireAction } from '../../http/authentication.ts';
import { bodyOf } from '../../http/body.ts';
import { writeIfCurrent } from '../../http/conditional.ts';
import { publicOrigin } from '../../http/origin.ts';
import { type FieldError, conflict, invalid } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import { loadFaq, refuseDuplicates } from './access.ts';
import { faqCollection, faqResource } from './representation.ts';
import { FAQ_FORMS, FAQ_FORMS_ALONE, createFaq, patchFaq, replaceFaq } from './schema.ts';

interface References {
  source?: unknown;
  related?: unknown[];
}

/**
 * The absolute http(s) URI of a ticket on another service, normalised, or undefined. The FAQ service alone cannot
 * look the ticket up (it knows no ticket service): it keeps the URI the ticket service gave, as any link is kept.
 */
export function remoteTicketUri(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.hash === '' && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export interface FaqRouteOptions {
  /** Whether tickets live in this process (the single server): sources are ids here, else URIs elsewhere. */
  ticketsHere: boolean;
}

export function faqRoutes(routes: Routes, store: Store, { ticketsHere }: FaqRouteOptions): void {
  const { faqs, tickets } = store;
  const forms = ticketsHere ? FAQ_FORMS : FAQ_FORMS_ALONE;

  /** The source a reference names: a live ticket here, or (alone) any ticket URI on the ticket service. */
  async function sourceOf(ctx: Context, value: unknown): Promise<FaqSource | undefined> {
    if (!ticketsHere) return remoteTicketUri(value);
    const id = referencedId(value, endpoints.ticket, publicOrigin(ctx));
    const ticket = id === undefined ? undefined : await tickets.find(id);
    return ticket && ticket.deletedAt === null ? ticket.id : undefined;
  }

  const load = (ctx: Context) => loadFaq(faqs, ctx.params.id, callerOf(ctx));

  async function maySeeTicket(caller: Caller, ticketId: FaqSource): Promise<boolean> {
    if (may(caller, 'faq:see-source')) return true;
    const owner = ticketOwner(caller);
    // Alone, this service cannot tell whose a ticket is: only those who may see every source filter by one.
    if (owner === undefined || !may(caller, 'ticket:read') || typeof ticketId === 'string') return false;
    return (await tickets.find(ticketId))?.requester === owner;
  }

  /** Turns the ids or URIs of a body into ids of live resources, naming every reference that leads nowhere. */
  async function resolve(ctx: Context, body: References, self?: number): Promise<Pick<Partial<FaqFields>, 'source' | 'related'>> {
    const errors: FieldError[] = [];
    const resolved: Pick<Partial<FaqFields>, 'source' | 'related'> = {};
    if (body.source === null) resolved.source = null;
    else if (body.source !== undefined) {
      const source = await sourceOf(ctx, body.source);
      if (source === undefined) errors.push({ pointer: '#/source', detail: ticketsHere ? 'names no ticket' : 'is not the absolute URI of a ticket' });
      else resolved.source = source;
    }
    if (body.related !== undefined) {
      const ids = body.related.map((value) => referencedId(value, endpoints.faq, publicOrigin(ctx)));
      const live = await faqs.liveIds(ids.filter((id): id is number => id !== undefined));
      ids.forEach((id, index) => {
        if (id === undefined || !live.has(id)) errors.push({ pointer: `#/related/${index}`, detail: 'names no FAQ' });
        else if (id === self) errors.push({ pointer: `#/related/${index}`, detail: 'is this FAQ itself' });
        else if (ids.indexOf(id) !== index) errors.push({ pointer: `#/related/${index}`, detail: 'repeats an earlier FAQ' });
      });
      resolved.related = ids as number[];
    }
    if (errors.length > 0) throw invalid('Some references lead nowhere.', errors);
    return resolved;
  }

  function sendFaq(ctx: Context, faq: Faq, status = 200, location?: string): void {
    sendResource(ctx, faqResource(faq, callerOf(ctx), forms), { status, version: faq.version, location });
  }

  /** A whole FAQ from a create or replace body: it must hold together on its own, so a breach is a 400. */
  async function wholeFaq(ctx: Context, body: typeof createFaq.schema.static, self?: number): Promise<FaqFields> {
    const fields: FaqFields = { ...FAQ_DEFAULTS, ...body, question: body.question.trim(), ...(await resolve(ctx, body, self)) } as FaqFields;
    const reason = whyInconsistent(fields);
    if (reason) throw invalid(reason, [{ pointer: '#/status', detail: 'needs an answer to be published' }]);
    return fields;
  }

  routes.get(endpoints.faqs, async (ctx) => {
    const caller = requireAction(ctx, 'faq:read');
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    const listing = {
      status: query.oneOf('status', FAQ_STATUSES),
      q: query.text('q', 200),
      source: ticketsHere
        ? query.custom<FaqSource>('source', 'must name a ticket, by id or URI', (raw) => referencedId(raw, endpoints.ticket, publicOrigin(ctx)))
        : query.custom<FaqSource>('source', 'must be the absolute URI of a ticket', remoteTicketUri),
    };
    query.done();
    // Filtering by source tells which ticket an FAQ came from: only for callers who may see that ticket.
    const hidden = listing.source !== undefined && !(await maySeeTicket(caller, listing.source));
    const visible = hidden
      ? { items: [], number: page.number, size: page.size, totalElements: 0, totalPages: 1 }
      : await faqs.list({ ...listing, onlyPublished: !may(caller, 'faq:read-drafts') }, page);
    sendResource(ctx, faqCollection(listing, page, visible, caller, forms));
  });

  routes.post(endpoints.faqs, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const fields = await wholeFaq(ctx, validateBody(createFaq, bodyOf(ctx)));
    const faq = await refuseDuplicates(() => faqs.create(fields));
    sendFaq(ctx, faq, 201, endpoints.faq.href({ id: faq.id }));
  });

  routes.get(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:read');
    sendFaq(ctx, await load(ctx));
  });

  routes.put(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const body = validateBody(replaceFaq, bodyOf(ctx));
    const current = await load(ctx);
    const fields = await wholeFaq(ctx, body, current.id);
    const faq = await refuseDuplicates(() =>
      writeIfCurrent(ctx, () => load(ctx), (latest) => faqs.update(latest.id, latest.version, fields)),
    );
    sendFaq(ctx, faq);
  });

  routes.patch(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const body = validateBody(patchFaq, bodyOf(ctx));
    const current = await load(ctx);
    const changes: Partial<FaqFields> = { ...body, ...(await resolve(ctx, body, current.id)) } as Partial<FaqFields>;
    if (changes.question !== undefined) changes.question = changes.question.trim();
    const faq = await refuseDuplicates(() =>
      writeIfCurrent(ctx, () => load(ctx), (latest) => {
        const reason = whyInconsistent({ ...latest, ...changes });
        if (reason) throw conflict(reason);
        return faqs.update(latest.id, latest.version, changes);
      }),
    );
    sendFaq(ctx, faq);
  });

  routes.post(endpoints.faqPublish, async (ctx) => {
    requireAction(ctx, 'faq:publish');
    const faq = await writeIfCurrent(ctx, () => load(ctx), async (current) => {
      if (current.status === 'published') return current; // already done: publishing again changes nothing
      const reason = whyInconsistent({ ...current, status: 'published' });
      if (reason) throw conflict(reason);
      return faqs.update(current.id, current.version, { status: 'published' });
    });
    sendFaq(ctx, faq);
  });

  routes.delete(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    await writeIfCurrent(ctx, () => load(ctx), (current) => faqs.markDeleted(current.id, current.version));
    ctx.status = 204;
  });
}
