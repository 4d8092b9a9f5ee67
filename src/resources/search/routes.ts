// HTTP for search across tickets and FAQs. Finding nothing is a 200 with empty lists, not an error.
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
    const query = new QueryReader(ctx);
    const q = query.text('q', 200);
    query.done();
    const results =
      q === undefined
        ? { q, tickets: [], faqs: [], ticketMatches: 0, faqMatches: 0 }
        : {
            q,
            tickets: await store.tickets.search(q, BEST_MATCHES),
            faqs: await store.faqs.search(q, BEST_MATCHES),
            ticketMatches: await store.tickets.count({ q }),
            faqMatches: await store.faqs.count({ q }),
          };
    sendResource(ctx, searchResource(results));
  });
}
