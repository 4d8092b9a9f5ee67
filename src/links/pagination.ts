// A page of a collection as HAL: the items embedded (an empty array when there are none), the page's facts,
// and self/first/prev/next/last links that keep every filter and the size.
import type { Page } from '../store/pagination.ts';
import { HalResource } from './hal.ts';
import type { Endpoint, TemplateValues } from './registry.ts';

export interface PageLinksRequest {
  number: number;
  size: number;
  after?: number;
  before?: number;
}

export interface PageMetadata {
  size: number;
  totalElements: number;
  totalPages: number;
  number: number;
}

export function collectionResource<T extends { id: number }>(options: {
  endpoint: Endpoint;
  rel: string;
  filters: TemplateValues;
  request: PageLinksRequest;
  page: Page<T>;
  item: (item: T) => HalResource;
}): HalResource {
  const { endpoint, rel, filters, request, page } = options;
  const at = (values: TemplateValues) => endpoint.href({ ...filters, size: page.size, ...values });
  const metadata: PageMetadata = {
    size: page.size,
    totalElements: page.totalElements,
    totalPages: page.totalPages,
    number: page.number,
  };
  const resource = new HalResource({ page: metadata }, at({ page: request.number, after: request.after, before: request.before }));
  resource.link('first', at({ page: 1 }));
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  if (page.number > 1) {
    // Past the end there is no row to seek from: the previous page is simply the last one.
    resource.link('prev', first ? at({ page: page.number - 1, before: first.id }) : at({ page: Math.min(page.number - 1, page.totalPages) }));
  }
  if (last && page.number < page.totalPages) resource.link('next', at({ page: page.number + 1, after: last.id }));
  resource.link('last', at({ page: page.totalPages }));
  resource.embed(rel, page.items.map(options.item));
  return resource;
}
