// HTTP for FAQs: the collection and each FAQ. Tickets and other FAQs are named by id or URI.
import type { Context } from 'koa';
import {
  FAQ_DEFAULTS,
  FAQ_STATUSES,
  type Faq,
  type FaqFields,
  type FaqSource,
  whyInconsistent,
} from '../../domain/faqs.ts';
import { type Caller, may, ticketOwner } from '../../domain/access.ts';
import { callerOf, requireAction } from '../../http/authentication.ts';
import { bodyOf } from '../../http/body.ts';
import { publicOrigin } from '../../http/origin.ts';
import { invalid } from '../../http/problem.ts';
import { QueryReader, readPageParameters } from '../../http/query.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { validateBody } from '../../http/validation.ts';
import { referencedId } from '../../links/references.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import type { TicketStore } from '../../store/tickets.ts';
import { type FaqOperations, type SourceReading, TICKET_URIS, faqOperations, remoteTicketUri } from './operations.ts';
import { type FaqListing, faqCollection, faqResource } from './representation.ts';
import { FAQ_FORMS, FAQ_FORMS_ALONE, type FaqForms, createFaq, patchFaq } from './schema.ts';

export interface FaqRouteOptions {
  /** Whether tickets live in this process (the single server): sources are ids here, else URIs elsewhere. */
  ticketsHere: boolean;
}

export function faqRoutes(routes: Routes, store: Store, { ticketsHere }: FaqRouteOptions): void {
  const operations = faqOperations(store);
  const forms = ticketsHere ? FAQ_FORMS : FAQ_FORMS_ALONE;
  const http: FaqHttp = {
    operations,
    ticketsHere,
    forms,
    sources: (ctx) => (ticketsHere ? operations.ticketsHere(ctx) : TICKET_URIS),
    send: (ctx, faq, status = 200, location) =>
      sendResource(ctx, faqResource(faq, callerOf(ctx), forms), { status, version: faq.version, location }),
  };
  faqCollectionRoutes(routes, store, http);
  faqItemRoutes(routes, http);
}

/** What the FAQ routes share: the operations, where tickets live, and how an FAQ is read and sent. */
interface FaqHttp {
  operations: FaqOperations;
  ticketsHere: boolean;
  forms: FaqForms;
  sources: (ctx: Context) => SourceReading;
  send: (ctx: Context, faq: Faq, status?: number, location?: string) => void;
}

/** A whole FAQ from a create or replace body: it must hold together on its own, so a breach is a 400. */
async function wholeFaq(
  ctx: Context,
  http: FaqHttp,
  body: typeof createFaq.schema.static,
  self?: number,
): Promise<FaqFields> {
  const fields: FaqFields = {
    ...FAQ_DEFAULTS,
    ...body,
    ...(await http.operations.resolve(ctx, body, http.sources(ctx), self)),
  } as FaqFields;
  const reason = whyInconsistent(fields);
  if (reason) throw invalid(reason, [{ pointer: '#/status', detail: 'needs an answer to be published' }]);
  return fields;
}

/** Whether the caller may learn which FAQs a ticket became: those who see every source, or its requester. */
async function maySeeTicket(tickets: TicketStore, caller: Caller, ticketId: FaqSource): Promise<boolean> {
  if (may(caller, 'faq:see-source')) return true;
  const owner = ticketOwner(caller);
  // Alone, this service cannot tell whose a ticket is: only those who may see every source filter by one.
  if (owner === undefined || !may(caller, 'ticket:read') || typeof ticketId === 'string') return false;
  return (await tickets.find(ticketId))?.requester === owner;
}

function readListing(ctx: Context, query: QueryReader, ticketsHere: boolean): FaqListing {
  return {
    status: query.oneOf('status', FAQ_STATUSES),
    q: query.text('q', 200),
    source: ticketsHere
      ? query.custom<FaqSource>('source', 'must name a ticket, by id or URI', (raw) =>
          referencedId(raw, endpoints.ticket, publicOrigin(ctx)),
        )
      : query.custom<FaqSource>('source', 'must be the absolute URI of a ticket', remoteTicketUri),
  };
}

function faqCollectionRoutes(routes: Routes, { faqs, tickets }: Store, http: FaqHttp): void {
  const { operations } = http;

  routes.get(endpoints.faqs, async (ctx) => {
    const caller = requireAction(ctx, 'faq:read');
    const query = new QueryReader(ctx);
    const page = readPageParameters(query);
    const listing = readListing(ctx, query, http.ticketsHere);
    query.done();
    // Filtering by source tells which ticket an FAQ came from: only for callers who may see that ticket.
    const hidden = listing.source !== undefined && !(await maySeeTicket(tickets, caller, listing.source));
    const visible = hidden
      ? { items: [], number: page.number, size: page.size, totalElements: 0, totalPages: 1 }
      : await faqs.list({ ...listing, onlyPublished: !may(caller, 'faq:read-drafts') }, page);
    sendResource(ctx, faqCollection(listing, page, visible, caller, http.forms));
  });

  routes.post(endpoints.faqs, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const fields = await wholeFaq(ctx, http, validateBody(createFaq, bodyOf(ctx)));
    const faq = await operations.create(fields);
    http.send(ctx, faq, 201, endpoints.faq.href({ id: faq.id }));
  });
}

function faqItemRoutes(routes: Routes, http: FaqHttp): void {
  const { operations, send } = http;

  routes.get(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:read');
    send(ctx, await operations.load(ctx));
  });

  routes.put(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const body = validateBody(createFaq, bodyOf(ctx)); // PUT: a whole FAQ, as a create;
    const current = await operations.load(ctx);
    send(ctx, await operations.replace(ctx, await wholeFaq(ctx, http, body, current.id)));
  });

  routes.patch(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    const body = validateBody(patchFaq, bodyOf(ctx));
    const current = await operations.load(ctx);
    const changes = {
      ...body,
      ...(await operations.resolve(ctx, body, http.sources(ctx), current.id)),
    } as Partial<FaqFields>;
    send(ctx, await operations.change(ctx, changes));
  });

  routes.post(endpoints.faqPublish, async (ctx) => {
    requireAction(ctx, 'faq:publish');
    send(ctx, await operations.publish(ctx));
  });

  routes.delete(endpoints.faq, async (ctx) => {
    requireAction(ctx, 'faq:write');
    await operations.remove(ctx);
  });
}
