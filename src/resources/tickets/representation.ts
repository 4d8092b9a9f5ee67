// Tickets as HAL: pure functions from stored tickets to documents, with the actions the ticket's state allows
// as HAL-FORMS templates. Every href comes from the registry, every form from the body schemas.
import type { Ticket, TicketStatus } from '../../domain/tickets.ts';
import { whyUnchangeable } from '../../domain/tickets.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import { describedBy } from '../../links/schema-links.ts';
import type { Page } from '../../store/pagination.ts';
import { createTicket, mergeTicket, patchTicket, replaceTicket } from './schema.ts';

function ticketProperties(ticket: Ticket) {
  const { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt } = ticket;
  return { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt };
}

export function ticketResource(ticket: Ticket): HalResource {
  const { id } = ticket;
  const properties = ticketProperties(ticket);
  const resource = new HalResource(properties, { href: endpoints.ticket.href({ id }), title: ticket.title })
    .link('collection', endpoints.tickets.href())
    .link('promote', { href: endpoints.ticketPromote.href({ id }), title: 'Make an FAQ from this ticket' })
    .link('merge', { href: endpoints.ticketMerge.href({ id }), title: 'Merge this ticket into another' })
    .link('faqs', { href: endpoints.faqs.href({ source: id }), title: 'FAQs made from this ticket' })
    .link('describedby', describedBy('ticket'));

  if (whyUnchangeable(ticket) === undefined) {
    resource
      .template('update', () => formTemplate({ title: 'Change this ticket', method: 'PATCH', schema: patchTicket.schema, values: properties }))
      .template('replace', () => formTemplate({ title: 'Replace this ticket', method: 'PUT', schema: replaceTicket.schema, values: properties }))
      .template('delete', () => formTemplate({ title: 'Delete this ticket', method: 'DELETE' }))
      .template('merge', () => formTemplate({ title: 'Merge into another ticket', method: 'POST', schema: mergeTicket.schema, target: endpoints.ticketMerge.href({ id }) }));
  }
  // Promoting changes nothing on the ticket, so even a closed one may become an FAQ.
  return resource.template('promote', () => formTemplate({ title: 'Make an FAQ from this ticket', method: 'POST', target: endpoints.ticketPromote.href({ id }) }));
}

export interface TicketListing {
  status?: TicketStatus;
  q?: string;
}

export function ticketCollection(listing: TicketListing, request: PageLinksRequest, page: Page<Ticket>): HalResource {
  return collectionResource({
    endpoint: endpoints.tickets,
    rel: 'tickets',
    filters: { status: listing.status, q: listing.q },
    request,
    page,
    item: ticketResource,
  })
    .link('describedby', describedBy('ticket'))
    .template('default', () => formTemplate({ title: 'Report a ticket', method: 'POST', schema: createTicket.schema, target: endpoints.tickets.href() }));
}
