// HTTP for tickets: the collection, each ticket, and the promote and merge actions. A requester sees only
// their own tickets; anyone else's answers 404, exactly like a ticket that never existed.
import type { Context } from 'koa';
import { type Caller, ticketOwner } from '../../domain/access.ts';
import { TICKET_DEFAULTS, TICKET_STATUSES, type Ticket, whyUnchangeable } from '../../domain/tickets.ts';
import { requireAction } from '../../http/authentication.ts';
import { type AnswerCache, answerKey } from '../../http/answer-cache.ts';
import { bodyOf } from '../../http/body.ts';
import { writeIfCurrent } from '../../http/conditional.ts';
import { publicOrigin } from '../../http/origin.ts';
import { conflict, gone, invalid, notFound } from '../../http/problem.ts';
import { MAX_ID, QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import { span } from '../../http/spans.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { parseId, referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import type { FaqLinks, FaqSide } from './faq-side.ts';
import { readTicketBody, ticketBodies } from './bodies.ts';
import { ticketCollection, ticketResource } from './representation.ts';
import { type TicketCreateBody, type TicketPatchBody, createTicket, mergeTicket, patchTicket } from './schema.ts';

export function ticketRoutes(routes: Routes, store: Store, faqSide: FaqSide, answers?: AnswerCache): void {
  const { tickets } = store;

  /** The ticket a path names, as the caller may see it: 404 if it never existed or is not theirs, 410 once deleted. */
  async function load(ctx: Context, caller: Caller): Promise<Ticket> {
    const id = parseId(ctx.params.id);
    const ticket = id === undefined ? undefined : await tickets.find(id);
    const owner = ticketOwner(caller);
    if (!ticket || (owner !== undefined && ticket.requester !== owner)) throw notFound(`There is no ticket ${ctx.params.id}.`);
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

  async function sendTicket(ctx: Context, ticket: Ticket, caller: Caller, status = 200, location?: string): Promise<void> {
    const { faqsOf, variant } = await faqSide.links(ctx);
    sendResource(ctx, ticketResource(ticket, caller, faqsOf), { status, version: ticket.version, location, variant });
  }

  /** Answers a GET from the kept copy while nothing was written since, else with `produce`, keeping its answer. */
  async function answerKept(ctx: Context, caller: Caller, produce: (faqs: FaqLinks) => Promise<void>): Promise<void> {
    const faqs = await faqSide.links(ctx);
    if (!answers) return produce(faqs);
    await answers.answer(ctx, answerKey(ctx, caller, faqs.variant), () => produce(faqs));
  }

  routes.get(endpoints.tickets, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:list');
    await answerKept(ctx, caller, async ({ faqsOf }) => {
      const query = new QueryReader(ctx);
      const page = readPageParameters(query);
      const listing = { status: query.oneOf('status', TICKET_STATUSES), q: query.text('q', 200), import: query.integer('import', { min: 1, max: MAX_ID }) };
      query.done();
      const visible = await span('store', () => tickets.list({ status: listing.status, q: listing.q, importId: listing.import, requester: ticketOwner(caller) }, page));
      span('representation', () => sendResource(ctx, ticketCollection(listing, page, visible, caller, faqsOf)));
    });
  });

  routes.post(endpoints.tickets, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:create');
    const body = readTicketBody<typeof createTicket.schema, TicketCreateBody>(ticketBodies(caller).create, bodyOf(ctx));
    const owner = ticketOwner(caller);
    const ticket = await tickets.create({ ...TICKET_DEFAULTS, ...body, requester: owner ?? body.requester });
    await sendTicket(ctx, ticket, caller, 201, endpoints.ticket.href({ id: ticket.id }));
  });

  routes.get(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    await answerKept(ctx, caller, async ({ faqsOf, variant }) => {
      const ticket = await span('store', () => load(ctx, caller));
      // A merged ticket has moved to its survivor, for whoever may see the survivor; a requester who may not
      // (it is someone else's) sees their own ticket, closed, rather than learn of the other one.
      if (ticket.mergedInto !== null) {
        const owner = ticketOwner(caller);
        const survivor = owner === undefined ? undefined : await tickets.find(ticket.mergedInto);
        if (owner === undefined || survivor?.requester === owner) {
          ctx.status = 301;
          ctx.set('Location', endpoints.ticket.href({ id: ticket.mergedInto }));
          return;
        }
      }
      span('representation', () => sendResource(ctx, ticketResource(ticket, caller, faqsOf), { version: ticket.version, variant }));
    });
  });

  routes.put(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    const body = readTicketBody<typeof createTicket.schema, TicketCreateBody>(ticketBodies(caller).replace, bodyOf(ctx));
    const ticket = await writeIfCurrent(ctx, () => load(ctx, caller), (current) => {
      requireAction(ctx, 'ticket:update');
      assertChangeable(current);
      // What a requester may not set stays as it is, rather than falling back to a default.
      const kept = ticketOwner(caller) === undefined ? {} : { requester: current.requester, assignee: current.assignee };
      return tickets.update(current.id, current.version, { ...TICKET_DEFAULTS, ...body, ...kept } as Ticket);
    });
    await sendTicket(ctx, ticket, caller);
  });

  routes.patch(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    const body = readTicketBody<typeof patchTicket.schema, TicketPatchBody>(ticketBodies(caller).patch, bodyOf(ctx));
    const ticket = await writeIfCurrent(ctx, () => load(ctx, caller), (current) => {
      requireAction(ctx, 'ticket:update');
      assertChangeable(current);
      return tickets.update(current.id, current.version, body);
    });
    await sendTicket(ctx, ticket, caller);
  });

  routes.delete(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    await writeIfCurrent(ctx, () => load(ctx, caller), (current) => {
      requireAction(ctx, 'ticket:delete');
      assertChangeable(current);
      return tickets.markDeleted(current.id, current.version);
    });
    ctx.status = 204;
  });

  routes.post(endpoints.ticketPromote, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    const ticket = await load(ctx, caller);
    requireAction(ctx, 'ticket:promote');
    if (ticket.mergedInto !== null) {
      throw conflict(`Ticket ${ticket.id} was merged into ticket ${ticket.mergedInto}; promote that one instead.`);
    }
    await faqSide.promote(ctx, ticket, caller);
  });

  routes.post(endpoints.ticketMerge, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    await load(ctx, caller);
    requireAction(ctx, 'ticket:merge');
    const { into } = validateBody(mergeTicket, bodyOf(ctx));
    const intoId = referencedId(into, endpoints.ticket, publicOrigin(ctx));
    if (intoId === undefined) {
      throw invalid('"into" must name a ticket, by id or URI.', [{ pointer: '#/into', detail: 'names no ticket' }]);
    }
    const merged = await writeIfCurrent(ctx, () => load(ctx, caller), async (current) => {
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
    const survivor = (await tickets.find(merged.mergedInto!))!;
    ctx.set('Content-Location', endpoints.ticket.href({ id: survivor.id }));
    await sendTicket(ctx, survivor, caller);
  });
}
