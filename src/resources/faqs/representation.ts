// FAQs as HAL: pure functions from stored FAQs to documents, with the actions the FAQ's state allows as
// HAL-FORMS templates. Every href comes from the registry, every form from the body schemas.
import { type Caller, may } from '../../domain/access.ts';
import type { Faq, FaqSource, FaqStatus } from '../../domain/faqs.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import type { PageLinksRequest } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import { describedBy } from '../../links/schema-links.ts';
import type { Page } from '../../store/pagination.ts';
import { describedCollection } from '../collection.ts';
import { FAQ_FORMS, type FaqForms } from './schema.ts';

/** A source's URI: a ticket here by id, or the absolute URI of a ticket on the ticket service as it was given. */
const sourceHref = (source: FaqSource) => (typeof source === 'number' ? endpoints.ticket.href({ id: source }) : source);

/** The FAQ's fields; its source ticket only for callers who may see any ticket (the link would leak it otherwise). */
function faqProperties(faq: Faq, caller: Caller) {
  const { id, question, answer, status, createdAt, updatedAt } = faq;
  const source = faq.source === null || !may(caller, 'faq:see-source') ? null : sourceHref(faq.source);
  const visibleRelated = may(caller, 'faq:read-drafts') ? faq.related : faq.publishedRelated;
  const related = visibleRelated.map((relatedId) => endpoints.faq.href({ id: relatedId }));
  return { id, question, answer, status, source, related, createdAt, updatedAt };
}

export function faqResource(faq: Faq, caller: Caller, forms: FaqForms = FAQ_FORMS): HalResource {
  const { id } = faq;
  const properties = faqProperties(faq, caller);
  // Forms offer choices by id (their valueField), so they are filled with ids, not URIs.
  const values = { ...properties, source: properties.source === null ? null : faq.source, related: faq.related };
  const resource = new HalResource(properties, { href: endpoints.faq.href({ id }), title: faq.question })
    .addresses('source', 'related')
    .link('collection', endpoints.faqs.href())
    .link('describedby', describedBy('faq'));
  if (properties.source !== null)
    resource.link('source', { href: properties.source, title: 'The ticket this FAQ came from' });
  resource.linkArray('related', properties.related);
  if (may(caller, 'faq:write')) {
    resource
      .template('update', () =>
        formTemplate({ title: 'Change this FAQ', method: 'PATCH', schema: forms.patch, values }),
      )
      .template('replace', () =>
        formTemplate({ title: 'Replace this FAQ', method: 'PUT', schema: forms.create, values }),
      )
      .template('delete', () => formTemplate({ title: 'Delete this FAQ', method: 'DELETE' }));
  }
  if (may(caller, 'faq:publish') && faq.status === 'draft' && faq.answer !== null && faq.answer.trim() !== '') {
    resource.template('publish', () =>
      formTemplate({ title: 'Publish this FAQ', method: 'POST', target: endpoints.faqPublish.href({ id }) }),
    );
  }
  return resource;
}

export interface FaqListing {
  status?: FaqStatus;
  q?: string;
  source?: FaqSource;
}

export function faqCollection(
  listing: FaqListing,
  request: PageLinksRequest,
  page: Page<Faq>,
  caller: Caller,
  forms: FaqForms = FAQ_FORMS,
): HalResource {
  const filters = { status: listing.status, q: listing.q, source: listing.source };
  const item = (faq: Faq) => faqResource(faq, caller, forms);
  const add = may(caller, 'faq:write') ? { title: 'Write an FAQ', schema: forms.create } : undefined;
  return describedCollection({ endpoint: endpoints.faqs, rel: 'faqs', filters, request, page, item }, 'faq', add);
}
