// Tickets as HAL: pure functions from stored tickets to documents. Every href comes from the registry.
import type { Ticket, TicketStatus } from '../../domain/tickets.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';

export function ticketResource(ticket: Ticket): HalResource {
  const { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt } = ticket;
  return new HalResource(
    { id, title, description, status, priority, requester, assignee, tags, createdAt, updatedAt },
    { href: endpoints.ticket.href({ id }), title },
  )
    .link('collection', endpoints.tickets.href())
    .link('promote', { href: endpoints.ticketPromote.href({ id }), title: 'Make an FAQ from this ticket' })
    .link('merge', { href: endpoints.ticketMerge.href({ id }), title: 'Merge this ticket into another' })
    .link('faqs', { href: endpoints.faqs.href({ source: id }), title: 'FAQs made from this ticket' });
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
  });
}
