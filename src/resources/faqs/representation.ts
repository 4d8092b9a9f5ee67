// FAQs as HAL: pure functions from stored FAQs to documents. Every href comes from the registry.
import type { Faq, FaqStatus } from '../../domain/faqs.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';

export function faqResource(faq: Faq): HalResource {
  const { id, question, answer, status, createdAt, updatedAt } = faq;
  const source = faq.source === null ? null : endpoints.ticket.href({ id: faq.source });
  const related = faq.related.map((relatedId) => endpoints.faq.href({ id: relatedId }));
  const resource = new HalResource(
    { id, question, answer, status, source, related, createdAt, updatedAt },
    { href: endpoints.faq.href({ id }), title: question },
  ).link('collection', endpoints.faqs.href());
  if (source !== null) resource.link('source', { href: source, title: 'The ticket this FAQ came from' });
  return resource.linkArray('related', related);
}

export interface FaqListing {
  status?: FaqStatus;
  q?: string;
  source?: number;
}

export function faqCollection(listing: FaqListing, request: PageLinksRequest, page: Page<Faq>): HalResource {
  return collectionResource({
    endpoint: endpoints.faqs,
    rel: 'faqs',
    filters: { status: listing.status, q: listing.q, source: listing.source },
    request,
    page,
    item: faqResource,
  });
}
