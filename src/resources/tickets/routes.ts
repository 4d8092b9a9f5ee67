// HTTP for tickets: the collection, each ticket, and the promote and merge actions. A requester sees only
// their own tickets; anyone else's answers 404, exactly like a ticket that never existed.
import type { Context } from 'koa';
import { type Action, type Caller, ticketOwner } from '../../domain/access.ts';
import { TICKET_DEFAULTS, TICKET_STATUSES, type Ticket, whyUnchangeable } from '../../domain/tickets.ts';
import { requireAction } from '../../http/authentication.ts';
import { type AnswerCache, answerKey } from '../../http/answer-cache.ts';
import { bodyOf } from '../../http/body.ts';
import { writeIfCurrent } from '../../http/conditional.ts';
import { publicOrigin } from '../../http/origin.ts';
import { conflict, gone, invalid } from '../../http/problem.ts';
import { MAX_NUMBER_PARAMETER, QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import { span } from '../../http/spans.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import type { TicketStore } from '../../store/tickets.ts';
import { loadResource, pathId } from '../load.ts';
import type { FaqLinks, FaqSide } from './faq-side.ts';
import { newTicketFields, readTicketBody, ticketBodies } from './bodies.ts';
import { ticketCollection, ticketResource } from './representation.ts';
import { type TicketCreateBody, type TicketPatchBody, createTicket, mergeTicket, patchTicket } from './schema.ts';

export function ticketRoutes(routes: Routes, store: Store, faqSide: FaqSide, answers?: AnswerCache): void {
  const { tickets } = store;
  const http = ticketHttp(tickets, faqSide, answers);
  ticketCollectionRoutes(routes, http);
  ticketItemRoutes(routes, http);
  ticketActionRoutes(routes, http);
}

function assertChangeable(ticket: Ticket): void {
  if (ticket.mergedInto !== null) {
    throw conflict(
      `Ticket ${ticket.id} was merged into ticket ${ticket.mergedInto} and is closed; change that one instead.`,
    );
  }
  const reason = whyUnchangeable(ticket);
  if (reason) throw conflict(reason);
}

/** What the ticket routes share: loading a ticket as the caller may see it, writing it, and answering with it. */
function ticketHttp(tickets: TicketStore, faqSide: FaqSide, answers: AnswerCache | undefined) {
  /** The ticket a path names, as the caller may see it: 404 if it never existed or is not theirs, 410 once deleted. */
  const load = (ctx: Context, caller: Caller): Promise<Ticket> =>
    loadResource(pathId(ctx), {
      noun: 'ticket',
      find: (id) => tickets.find(id),
      visible: (ticket) => {
        const owner = ticketOwner(caller);
        return owner === undefined || ticket.requester === owner;
      },
      live: (ticket) => (ticket.deletedAt === null ? ticket : gone(`Ticket ${ticket.id} was deleted.`)),
    });

  return {
    tickets,
    faqSide,
    load,

    send: async (ctx: Context, ticket: Ticket, caller: Caller, status = 200, location?: string): Promise<void> => {
      const { faqsOf, variant } = await faqSide.links(ctx);
      sendResource(ctx, ticketResource(ticket, caller, faqsOf), { status, version: ticket.version, location, variant });
    },

    /** Answers a GET from the kept copy while nothing was written since, else with `produce`, keeping its answer. */
    answerKept: async (ctx: Context, caller: Caller, produce: (faqs: FaqLinks) => Promise<void>): Promise<void> => {
      const faqs = await faqSide.links(ctx);
      if (!answers) return produce(faqs);
      // With a remote FAQ service, the links depend on what it says now, not only on the request: not given again.
      const replayable = faqs.variant === undefined;
      await answers.answer(ctx, answerKey(ctx, caller, faqs.variant), () => produce(faqs), replayable);
    },

    /** Writes the ticket the path names, if the caller may do `action` and the ticket may still change. */
    writeChangeable: (
      ctx: Context,
      caller: Caller,
      action: Action,
      write: (current: Ticket) => Promise<Ticket | undefined>,
    ): Promise<Ticket> =>
      writeIfCurrent(
        ctx,
        () => load(ctx, caller),
        (current) => {
          requireAction(ctx, action);
          assertChangeable(current);
          return write(current);
        },
      ),
  };
}

type TicketHttp = ReturnType<typeof ticketHttp>;

function ticketCollectionRoutes(routes: Routes, { tickets, answerKept, send }: TicketHttp): void {
  routes.get(endpoints.tickets, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:list');
    await answerKept(ctx, caller, async ({ faqsOf }) => {
      const query = new QueryReader(ctx);
      const page = readPageParameters(query);
      const listing = {
        status: query.oneOf('status', TICKET_STATUSES),
        q: query.text('q', 200),
        import: query.integer('import', { min: 1, max: MAX_NUMBER_PARAMETER }),
      };
      query.done();
      const visible = await span('store', () =>
        tickets.list(
          { status: listing.status, q: listing.q, importId: listing.import, requester: ticketOwner(caller) },
          page,
        ),
      );
      span('representation', () => sendResource(ctx, ticketCollection(listing, page, visible, caller, faqsOf)));
    });
  });

  routes.post(endpoints.tickets, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:create');
    const body = readTicketBody<typeof createTicket.schema, TicketCreateBody>(ticketBodies(caller).create, bodyOf(ctx));
    const owner = ticketOwner(caller);
    const ticket = await tickets.create(newTicketFields(body, owner ?? body.requester));
    await send(ctx, ticket, caller, 201, endpoints.ticket.href({ id: ticket.id }));
  });
}

/**
 * Whether a merged ticket has moved to its survivor for this caller: for whoever may see the survivor; a requester
 * who may not (it is someone else's) sees their own ticket, closed, rather than learn of the other one.
 * The survivor's id when it has moved, else undefined.
 */
async function movedToSurvivor(tickets: TicketStore, caller: Caller, ticket: Ticket): Promise<number | undefined> {
  if (ticket.mergedInto === null) return undefined;
  const owner = ticketOwner(caller);
  if (owner === undefined) return ticket.mergedInto;
  return (await tickets.find(ticket.mergedInto))?.requester === owner ? ticket.mergedInto : undefined;
}

function ticketItemRoutes(routes: Routes, { tickets, load, send, answerKept, writeChangeable }: TicketHttp): void {
  routes.get(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    await answerKept(ctx, caller, async ({ faqsOf, variant }) => {
      const ticket = await span('store', () => load(ctx, caller));
      const survivor = await movedToSurvivor(tickets, caller, ticket);
      if (survivor !== undefined) {
        ctx.status = 301;
        ctx.set('Location', endpoints.ticket.href({ id: survivor }));
        return;
      }
      span('representation', () =>
        sendResource(ctx, ticketResource(ticket, caller, faqsOf), { version: ticket.version, variant }),
      );
    });
  });

  routes.put(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    const body = readTicketBody<typeof createTicket.schema, TicketCreateBody>(
      ticketBodies(caller).replace,
      bodyOf(ctx),
    );
    // What a requester may not set stays as it is, rather than falling back to a default.
    const kept = (current: Ticket) =>
      ticketOwner(caller) === undefined ? {} : { requester: current.requester, assignee: current.assignee };
    const ticket = await writeChangeable(ctx, caller, 'ticket:update', (current) =>
      tickets.update(current.id, current.version, { ...TICKET_DEFAULTS, ...body, ...kept(current) }),
    );
    await send(ctx, ticket, caller);
  });

  routes.patch(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    const body = readTicketBody<typeof patchTicket.schema, TicketPatchBody>(ticketBodies(caller).patch, bodyOf(ctx));
    await send(
      ctx,
      await writeChangeable(ctx, caller, 'ticket:update', (current) =>
        tickets.update(current.id, current.version, body),
      ),
      caller,
    );
  });

  routes.delete(endpoints.ticket, async (ctx) => {
    const caller = requireAction(ctx, 'ticket:read');
    await writeChangeable(ctx, caller, 'ticket:delete', (current) => tickets.markDeleted(current.id, current.version));
    ctx.status = 204;
  });
}

/** The survivor a merge names, if it can take one: 400 when it names none (or the ticket itself), 409 when it is closed. */
async function assertSurvivor(tickets: TicketStore, intoId: number, current: Ticket): Promise<void> {
  if (intoId === current.id) {
    throw invalid('A ticket cannot be merged into itself.', [{ pointer: '#/into', detail: 'is this ticket' }]);
  }
  const survivor = await tickets.find(intoId);
  if (!survivor)
    throw invalid(`There is no ticket ${intoId} to merge into.`, [{ pointer: '#/into', detail: 'names no ticket' }]);
  if (survivor.deletedAt !== null) throw conflict(`Ticket ${intoId} was deleted; it cannot take a merge.`);
  if (survivor.mergedInto !== null || survivor.status === 'closed') {
    throw conflict(`Ticket ${intoId} is closed; merge into an open ticket.`);
  }
}

function ticketActionRoutes(routes: Routes, { tickets, faqSide, load, send }: TicketHttp): void {
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
    const merged = await writeIfCurrent(
      ctx,
      () => load(ctx, caller),
      async (current) => {
        assertChangeable(current);
        await assertSurvivor(tickets, intoId, current);
        return tickets.markMerged(current.id, current.version, intoId);
      },
    );
    // markMerged sets mergedInto, and assertSurvivor found that ticket just before, in the same write.
    const survivor = merged.mergedInto === null ? undefined : await tickets.find(merged.mergedInto);
    if (survivor === undefined) throw new Error(`ticket ${merged.id} was merged into a ticket that cannot be found`);
    ctx.set('Content-Location', endpoints.ticket.href({ id: survivor.id }));
    await send(ctx, survivor, caller);
  });
}
