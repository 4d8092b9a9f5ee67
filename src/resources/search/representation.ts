// Search results as HAL: the best matches of each kind embedded, and links to the full, paged lists.
import { type Caller, may } from '../../domain/access.ts';
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

/** Both embedded arrays are always there; a caller who may not list tickets gets an empty one and no link to them. */
export function searchResource(results: SearchResults, caller: Caller): HalResource {
  const { q } = results;
  const resource = new HalResource(
    { q: q ?? null, matches: { tickets: results.ticketMatches, faqs: results.faqMatches } },
    endpoints.search.href({ q }),
  );
  if (may(caller, 'ticket:list')) resource.link('tickets', { href: endpoints.tickets.href({ q }), title: 'Every matching ticket, paged' });
  return resource
    .link('faqs', { href: endpoints.faqs.href({ q }), title: 'Every matching FAQ, paged' })
    .embed('tickets', results.tickets.map((ticket) => ticketResource(ticket, caller)))
    .embed('faqs', results.faqs.map((faq) => faqResource(faq, caller)));
}
