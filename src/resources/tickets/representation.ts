// Tickets as HAL: pure functions from stored tickets to documents, with the actions the ticket's state and the
// caller's role allow as links and HAL-FORMS templates. Every href comes from the registry, every form from the
// body schemas.
import { type Caller, may } from '../../domain/access.ts';
import type { Ticket, TicketStatus } from '../../domain/tickets.ts';
import { whyUnchangeable } from '../../domain/tickets.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import type { PageLinksRequest } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import { describedBy } from '../../links/schema-links.ts';
import type { Page } from '../../store/pagination.ts';
import { describedCollection } from '../collection.ts';
import { ticketBodies } from './bodies.ts';
import { mergeTicket } from './schema.ts';

function ticketProperties(ticket: Ticket) {
  const { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt } = ticket;
  return { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt };
}

/** Where a ticket's FAQs are listed: here, or (the ticket service alone) the FAQ service's URI, or none. */
export type FaqsOf = (ticket: Ticket) => string | undefined;

export function ticketResource(ticket: Ticket, caller: Caller, faqsOf: FaqsOf): HalResource {
  const { id } = ticket;
  const properties = ticketProperties(ticket);
  const bodies = ticketBodies(caller);
  const changeable = whyUnchangeable(ticket) === undefined;
  const resource = new HalResource(properties, { href: endpoints.ticket.href({ id }), title: ticket.title })
    .link('collection', endpoints.tickets.href())
    .link('describedby', describedBy('ticket'));
  const faqs = faqsOf(ticket);
  if (faqs !== undefined) resource.link('faqs', { href: faqs, title: 'FAQs made from this ticket' });
  if (may(caller, 'ticket:promote')) {
    const target = endpoints.ticketPromote.href({ id });
    resource.link('promote', { href: target, title: 'Make an FAQ from this ticket' });
    // Promoting changes nothing on the ticket, so even a closed one may become an FAQ.
    resource.template('promote', () => formTemplate({ title: 'Make an FAQ from this ticket', method: 'POST', target }));
  }
  if (changeable && may(caller, 'ticket:merge')) {
    const target = endpoints.ticketMerge.href({ id });
    resource
      .link('merge', { href: target, title: 'Merge this ticket into another' })
      .template('merge', () =>
        formTemplate({ title: 'Merge into another ticket', method: 'POST', schema: mergeTicket.schema, target }),
      );
  }
  if (changeable && may(caller, 'ticket:update')) {
    resource
      .template('update', () =>
        formTemplate({ title: 'Change this ticket', method: 'PATCH', schema: bodies.patch.schema, values: properties }),
      )
      .template('replace', () =>
        formTemplate({
          title: 'Replace this ticket',
          method: 'PUT',
          schema: bodies.replace.schema,
          values: properties,
        }),
      );
  }
  if (changeable && may(caller, 'ticket:delete')) {
    resource.template('delete', () => formTemplate({ title: 'Delete this ticket', method: 'DELETE' }));
  }
  return resource;
}

export interface TicketListing {
  status?: TicketStatus;
  q?: string;
  /** The bulk import whose tickets these are. */
  import?: number;
}

export function ticketCollection(
  listing: TicketListing,
  request: PageLinksRequest,
  page: Page<Ticket>,
  caller: Caller,
  faqsOf: FaqsOf,
): HalResource {
  const filters = { status: listing.status, q: listing.q, import: listing.import };
  const item = (ticket: Ticket) => ticketResource(ticket, caller, faqsOf);
  const add = may(caller, 'ticket:create')
    ? { title: 'Report a ticket', schema: ticketBodies(caller).create.schema }
    : undefined;
  return describedCollection(
    { endpoint: endpoints.tickets, rel: 'tickets', filters, request, page, item },
    'ticket',
    add,
  );
}
