// Search results as HAL: the best matches of each kind embedded, and links to the full, paged lists.
import type { Faq } from '../../domain/faqs.ts';
import type { Ticket } from '../../domain/tickets.ts';
import { HalResource } from '../../links/hal.ts';
import { endpoints } from '../../links/registry.ts';
import { faqResource } from '../faqs/representation.ts';
import { ticketResource } from '../tickets/representation.ts';

export interface SearchResults {
  q: string | undefined;
  tickets: Ticket[];
  faqs: Faq[];
  ticketMatches: number;
  faqMatches: number;
}

export function searchResource(results: SearchResults): HalResource {
  const { q } = results;
  return new HalResource(
    { q: q ?? null, matches: { tickets: results.ticketMatches, faqs: results.faqMatches } },
    endpoints.search.href({ q }),
  )
    .link('tickets', { href: endpoints.tickets.href({ q }), title: 'Every matching ticket, paged' })
    .link('faqs', { href: endpoints.faqs.href({ q }), title: 'Every matching FAQ, paged' })
    .embed('tickets', results.tickets.map(ticketResource))
    .embed('faqs', results.faqs.map(faqResource));
}
