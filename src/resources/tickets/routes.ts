// HTTP for tickets: the collection, each ticket, and the promote and merge actions.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { TICKET_DEFAULTS, TICKET_STATUSES, type Ticket, whyUnchangeable } from '../../domain/tickets.ts';
import { bodyOf } from '../../http/body.ts';
import { versionTag, writeIfCurrent } from '../../http/conditional.ts';
import { sendDocument } from '../../http/negotiation.ts';
import { conflict, gone, invalid, notFound } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { validateBody } from '../../http/validation.ts';
import { parseId, referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import { DuplicateQuestion } from '../../store/faqs.ts';
import type { Store } from '../../store/index.ts';
import { faqResource } from '../faqs/representation.ts';
import { ticketCollection, ticketResource } from './representation.ts';
import { createTicket, mergeTicket, patchTicket, replaceTicket } from './schema.ts';

export function ticketRoutes(router: Router, store: Store): void {
  const { tickets, faqs } = store;

  /** The ticket a path names: 404 if it never existed, 410 once deleted. Merged tickets are returned. */
  async function load(ctx: Context): Promise<Ticket> {
    const id = parseId(ctx.params.id);
    const ticket = id === undefined ? undefined : await tickets.find(id);
    if (!ticket) throw notFound(`There is no ticket ${ctx.params.id}.`);
    if (ticket.deletedAt !== null) throw gone(`Ticket ${ticket.id} was deleted.`);
    return ticket;
  }

  function assertChangeable(ticket: Ticket): void {
    if (ticket.mergedInto !== null) {
      throw conflict(`Ticket ${ticket.id} was merged into ticket ${ticket.mergedInto} and is closed; change that one instead.`);
    }
    const reason = whyUnchangeable(ticket);
    if (reason) throw conflict(reason);
  }

  function sendTicket(ctx: Context, ticket: Ticket, status = 200): void {
    ctx.set('ETag', versionTag(ticket.version));
    sendDocument(ctx, ticketResource(ticket).toJSON(), status);
  }

  router.get(endpoints.tickets.routePath, async (ctx) => {
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    const listing = { status: query.oneOf('status', TICKET_STATUSES), q: query.text('q', 200) };
    query.done();
    sendDocument(ctx, ticketCollection(listing, page, await tickets.list(listing, page)).toJSON());
  });

  router.post(endpoints.tickets.routePath, async (ctx) => {
    const body = validateBody(createTicket, bodyOf(ctx));
    const ticket = await tickets.create({ ...TICKET_DEFAULTS, ...body });
    ctx.set('Location', endpoints.ticket.href({ id: ticket.id }));
    sendTicket(ctx, ticket, 201);
  });

  router.get(endpoints.ticket.routePath, async (ctx) => {
    const ticket = await load(ctx);
    if (ticket.mergedInto !== null) {
      ctx.status = 301;
      ctx.set('Location', endpoints.ticket.href({ id: ticket.mergedInto }));
      return;
    }
    sendTicket(ctx, ticket);
  });

  router.put(endpoints.ticket.routePath, async (ctx) => {
    const body = validateBody(replaceTicket, bodyOf(ctx));
    const ticket = await writeIfCurrent(ctx, () => load(ctx), (current) => {
      assertChangeable(current);
      return tickets.update(current.id, current.version, { ...TICKET_DEFAULTS, ...body });
    });
    sendTicket(ctx, ticket);
  });

  router.patch(endpoints.ticket.routePath, async (ctx) => {
    const body = validateBody(patchTicket, bodyOf(ctx));
    const ticket = await writeIfCurrent(ctx, () => load(ctx), (current) => {
      assertChangeable(current);
      return tickets.update(current.id, current.version, body);
    });
    sendTicket(ctx, ticket);
  });

  router.delete(endpoints.ticket.routePath, async (ctx) => {
    await writeIfCurrent(ctx, () => load(ctx), (current) => {
      assertChangeable(current);
      return tickets.markDeleted(current.id, current.version);
    });
    ctx.status = 204;
  });

  router.post(endpoints.ticketPromote.routePath, async (ctx) => {
    const ticket = await load(ctx);
    if (ticket.mergedInto !== null) {
      throw conflict(`Ticket ${ticket.id} was merged into ticket ${ticket.mergedInto}; promote that one instead.`);
    }
    const existing = await faqs.findBySource(ticket.id);
    if (existing) {
      ctx.status = 303;
      ctx.set('Location', endpoints.faq.href({ id: existing.id }));
      return;
    }
    try {
      const faq = await faqs.create({ question: ticket.title.trim(), answer: null, status: 'draft', source: ticket.id, related: [] });
      ctx.set('Location', endpoints.faq.href({ id: faq.id }));
      ctx.set('ETag', versionTag(faq.version));
      sendDocument(ctx, faqResource(faq).toJSON(), 201);
    } catch (error) {
      if (error instanceof DuplicateQuestion) {
        throw conflict(`An FAQ already asks "${error.question}"; link that one rather than promoting this ticket again.`);
      }
      throw error;
    }
  });

  router.post(endpoints.ticketMerge.routePath, async (ctx) => {
    const { into } = validateBody(mergeTicket, bodyOf(ctx));
    const intoId = referencedId(into, endpoints.ticket, ctx.URL.origin);
    if (intoId === undefined) {
      throw invalid('"into" must name a ticket, by id or URI.', [{ pointer: '#/into', detail: 'names no ticket' }]);
    }
    const merged = await writeIfCurrent(ctx, () => load(ctx), async (current) => {
      assertChangeable(current);
      if (intoId === current.id) {
        throw invalid('A ticket cannot be merged into itself.', [{ pointer: '#/into', detail: 'is this ticket' }]);
      }
      const survivor = await tickets.find(intoId);
      if (!survivor) throw invalid(`There is no ticket ${intoId} to merge into.`, [{ pointer: '#/into', detail: 'names no ticket' }]);
      if (survivor.deletedAt !== null) throw conflict(`Ticket ${intoId} was deleted; it cannot take a merge.`);
      if (survivor.mergedInto !== null || survivor.status === 'closed') {
        throw conflict(`Ticket ${intoId} is closed; merge into an open ticket.`);
      }
      return tickets.markMerged(current.id, current.version, intoId);
    });
    const survivor = await tickets.find(merged.mergedInto!);
    ctx.set('Content-Location', endpoints.ticket.href({ id: survivor!.id }));
    sendTicket(ctx, survivor!);
  });
}
