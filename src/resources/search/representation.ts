// Search results as HAL: the best matches of each kind embedded, and links to the full, paged lists.
import { type Caller, may } from '../../domain/access.ts';
import type { Faq } from '../../domain/faqs.ts';
import type { Ticket } from '../../domain/tickets.ts';
import type { MatchOrder } from '../../store/matches.ts';
import { HalResource } from '../../links/hal.ts';
import { endpoints } from '../../links/registry.ts';
import { faqResource } from '../faqs/representation.ts';
import { type FaqsOf, ticketResource } from '../tickets/representation.ts';

export interface SearchResults {
  q: string | undefined;
  tickets: Ticket[];
  faqs: Faq[];
  /** Null when tickets are not searched here (the FAQ service alone has none). */
  ticketMatches: number | null;
  /** The count stopped at the search bound: at least ticketMatches tickets match. */
  ticketMatchesAtLeast: boolean;
  /** How the embedded tickets are ordered: by relevance when few enough match to rank, else newest first. */
  ticketOrder: MatchOrder;
  /** Null when FAQs are not searched here (the ticket service alone: its `faqs` link leads to them). */
  faqMatches: number | null;
}

/** Where the full lists are: here; alone, a service lists only its own kind and links the other. */
export interface SearchLinks {
  tickets: boolean;
  /** The FAQ list matching `q`, or undefined when it cannot be named now. */
  faqs: string | undefined;
  /** Each embedded ticket's `faqs` link. */
  faqsOf: FaqsOf;
}

/** Both embedded arrays are always there; a caller who may not list tickets gets an empty one and no link to them. */
export function searchResource(results: SearchResults, caller: Caller, links: SearchLinks): HalResource {
  const { q } = results;
  const { tickets, faqs, faqsOf } = links;
  const resource = new HalResource(
    {
      q: q ?? null,
      matches: { tickets: results.ticketMatches, faqs: results.faqMatches },
      // FAQs are few: always ranked, always counted exactly.
      matchesAreLowerBounds: {
        tickets: results.ticketMatches === null ? null : results.ticketMatchesAtLeast,
        faqs: results.faqMatches === null ? null : false,
      },
      order: {
        tickets: results.ticketMatches === null ? null : results.ticketOrder,
        faqs: results.faqMatches === null ? null : 'relevance',
      },
    },
    endpoints.search.href({ q }),
  );
  if (tickets && may(caller, 'ticket:list'))
    resource.link('tickets', { href: endpoints.tickets.href({ q }), title: 'Every matching ticket, paged' });
  if (faqs !== undefined) resource.link('faqs', { href: faqs, title: 'Every matching FAQ, paged' });
  return resource
    .embed(
      'tickets',
      results.tickets.map((ticket) => ticketResource(ticket, caller, faqsOf)),
    )
    .embed(
      'faqs',
      results.faqs.map((faq) => faqResource(faq, caller)),
    );
}
