// HTTP for search across tickets and FAQs. Finding nothing is a 200 with empty lists, not an error.
import type { Context } from 'koa';
import type { FaqsOf } from '../tickets/representation.ts';
import { type Caller, may, ticketOwner } from '../../domain/access.ts';
import { type AnswerCache, answerKey } from '../../http/answer-cache.ts';
import { requireAction } from '../../http/authentication.ts';
import { sendResource } from '../../http/respond.ts';
import type { Routes } from '../../http/routing.ts';
import { QueryReader } from '../../http/query.ts';
import { endpoints } from '../../links/registry.ts';
import type { Faq } from '../../domain/faqs.ts';
import type { FaqFilter } from '../../store/faqs.ts';
import type { Store } from '../../store/index.ts';
import { type SearchLinks, type SearchResults, searchResource } from './representation.ts';

/**
 * What this process searches. The single server searches both; alone, a service searches its own kind, and
 * the ticket service links to the FAQ service's matching FAQs instead of searching them (docs/services.md).
 */
export interface SearchScope {
  tickets: boolean;
  /** Searched here (true), or the URL of the FAQ list matching q elsewhere (or undefined when unknown now). */
  faqs: true | ((q: string | undefined) => Promise<string | undefined>);
  /** The `faqs` link of each ticket found, as this request knows it (src/resources/tickets/faq-side.ts). */
  faqsOf: (ctx: Context) => Promise<FaqsOf>;
}

/** How many of the best matches of each kind the results embed; the linked lists have the rest. */
const BEST_MATCHES = 10;

/**
 * With `answers`, a search is answered from the kept copy of the same search while nothing was committed since
 * (as a ticket page is): only when this process searches FAQs too, as another service's FAQs change unseen.
 */
export function searchRoutes(routes: Routes, store: Store, scope: SearchScope, answers?: AnswerCache): void {
  routes.get(endpoints.search, async (ctx) => {
    const caller = requireAction(ctx, 'search');
    const query = new QueryReader(ctx);
    const q = query.text('q', 200);
    query.done();
    if (!answers || scope.faqs !== true) return answerSearch(ctx, caller, q);
    await answers.answer(ctx, answerKey(ctx, caller, undefined), () => answerSearch(ctx, caller, q));
  });

  /**
   * The best FAQs and how many match. PostgreSQL asks both at once, each on a connection of its own. On SQLite the
   * two run one after the other anyway, and fewer FAQs than asked for are every match: then nothing is left to count.
   */
  async function bestFaqs(q: string, filter: FaqFilter): Promise<[Faq[], number | null]> {
    if (store.engine === 'postgres')
      return Promise.all([store.faqs.search(q, BEST_MATCHES, filter), store.faqs.count(filter)]);
    const faqs = await store.faqs.search(q, BEST_MATCHES, filter);
    return [faqs, faqs.length < BEST_MATCHES ? faqs.length : await store.faqs.count(filter)];
  }

  /** No FAQs searched: none here when this process keeps them (no q), or unknown (null) when another does. */
  const noFaqs = (): [Faq[], number | null] => [[], scope.faqs === true ? 0 : null];

  async function answerSearch(ctx: Context, caller: Caller, q: string | undefined): Promise<void> {
    // Only what the caller may see is searched: their own tickets (or none), and published FAQs unless they may read drafts.
    const ticketFilter = { q, requester: ticketOwner(caller) };
    const faqFilter = { q, onlyPublished: !may(caller, 'faq:read-drafts') };
    const searchTickets = q !== undefined && scope.tickets && may(caller, 'ticket:list');
    const searchFaqs = q !== undefined && scope.faqs === true;
    const ticketsFound = searchTickets ? store.tickets.search(q, BEST_MATCHES, ticketFilter) : undefined;
    // PostgreSQL: the FAQs at once, each a round trip on a connection of its own, so the answer waits for the
    // slowest, not for the sum. SQLite reads FAQs on the main connection, which would hold the event loop while
    // the database is locked: only once the ticket search (on a thread of its own) is done.
    if (store.engine !== 'postgres') await ticketsFound;
    const [found, [faqs, faqMatches]] = await Promise.all([
      ticketsFound,
      searchFaqs ? bestFaqs(q, faqFilter) : noFaqs(),
    ]);
    const results = {
      q,
      tickets: found?.items ?? [],
      ticketMatches: scope.tickets ? (found?.totalElements ?? 0) : null,
      ticketMatchesAtLeast: found?.totalElementsIsLowerBound ?? false,
      ticketOrder: found?.order ?? 'relevance',
      faqs,
      faqMatches,
    } satisfies SearchResults;
    const links: SearchLinks = {
      tickets: scope.tickets,
      faqs: scope.faqs === true ? endpoints.faqs.href({ q }) : await scope.faqs(q),
      faqsOf: await scope.faqsOf(ctx),
    };
    sendResource(ctx, searchResource(results, caller, links));
  }
}
