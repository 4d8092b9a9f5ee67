// FAQ contract v1 as HAL: the v1 shape (no related, source as a ticket id), with links that stay inside /v1/.
import { type Caller, may } from '../../domain/access.ts';
import type { Faq } from '../../domain/faqs.ts';
import { formTemplate } from '../../links/forms.ts';
import { HalResource } from '../../links/hal.ts';
import { type PageLinksRequest, collectionResource } from '../../links/pagination.ts';
import { endpoints } from '../../links/registry.ts';
import type { Page } from '../../store/pagination.ts';
import { describedFor } from '../home/representation.ts';
import type { FaqListing } from '../faqs/representation.ts';
import { createV1Faq, patchV1Faq } from './schema.ts';

export function v1HomeResource(): HalResource {
  const home = new HalResource(
    { name: 'Helpdesk FAQ API, contract v1', description: 'Deprecated: the current contract starts at /.' },
    endpoints.v1Home.href(),
  )
    .link('faqs', { href: endpoints.v1Faqs.template, title: 'FAQs, filtered and paged' })
    .link('faq', { href: endpoints.v1Faq.template, title: 'One FAQ by id' });
  return describedFor(home); // the one description covers v1 too
}

export function v1FaqResource(faq: Faq, caller: Caller): HalResource {
  const { id, question, answer, status, createdAt, updatedAt } = faq;
  // v1 names a ticket by id only: a ticket on another service (the split) cannot be said in v1, so it shows none.
  const source = may(caller, 'faq:see-source') && typeof faq.source === 'number' ? faq.source : null;
  const properties = { id, question, answer, status, source, createdAt, updatedAt };
  const resource = new HalResource(properties, { href: endpoints.v1Faq.href({ id }), title: question }).link(
    'collection',
    endpoints.v1Faqs.href(),
  );
  if (may(caller, 'faq:write')) {
    resource
      .template('update', () =>
        formTemplate({ title: 'Change this FAQ', method: 'PATCH', schema: patchV1Faq.schema, values: properties }),
      )
      .template('delete', () => formTemplate({ title: 'Delete this FAQ', method: 'DELETE' }));
  }
  return resource;
}

export function v1FaqCollection(
  listing: Omit<FaqListing, 'source'>,
  request: PageLinksRequest,
  page: Page<Faq>,
  caller: Caller,
): HalResource {
  const collection = collectionResource({
    endpoint: endpoints.v1Faqs,
    rel: 'faqs',
    filters: { status: listing.status, q: listing.q },
    request,
    page,
    item: (faq) => v1FaqResource(faq, caller),
  });
  if (may(caller, 'faq:write')) {
    collection.template('default', () =>
      formTemplate({
        title: 'Write an FAQ',
        method: 'POST',
        schema: createV1Faq.schema,
        target: endpoints.v1Faqs.href(),
      }),
    );
  }
  return collection;
}
