// HTTP for search across tickets and FAQs. Finding nothing is a 200 with empty lists, not an error.
import { may, ticketOwner } from '../../domain/access.ts';
import { requireAction } from '../../http/authentication.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { QueryReader } from '../../http/query.ts';
import { endpoints } from '../../links/registry.ts';
import type { Store } from '../../store/index.ts';
import { searchResource } from './representation.ts';

/** How many of the best matches of each kind the results embed; the linked lists have the rest. */
export const BEST_MATCHES = 10;

export function searchRoutes(routes: Routes, store: Store): void {
  routes.get(endpoints.search, async (ctx) => {
    const caller = requireAction(ctx, 'search');
    const query = new QueryReader(ctx);
    const q = query.text('q', 200);
    query.done();
    // Only what the caller may see is searched: their own tickets (or none), and published FAQs unless they may read drafts.
    const ticketFilter = { q, requester: ticketOwner(caller) };
    const faqFilter = { q, onlyPublished: !may(caller, 'faq:read-drafts') };
    const searchTickets = q !== undefined && may(caller, 'ticket:list');
    const results = {
      q,
      tickets: searchTickets ? await store.tickets.search(q, BEST_MATCHES, ticketFilter) : [],
      ticketMatches: searchTickets ? await store.tickets.count(ticketFilter) : 0,
      faqs: q === undefined ? [] : await store.faqs.search(q, BEST_MATCHES, faqFilter),
      faqMatches: q === undefined ? 0 : await store.faqs.count(faqFilter),
    };
    sendResource(ctx, searchResource(results, caller));
  });
}
