// A page of a collection as HAL: the items embedded (an empty array when there are none), the page's facts,
// and self/first/prev/next/last links that keep every filter and the size.
import type { MatchOrder, MatchPage } from '../store/matches.ts';
import type { Page } from '../store/pagination.ts';
import { HalResource } from './hal.ts';
import type { Endpoint, TemplateValues } from './registry.ts';

export interface PageLinksRequest {
  number: number;
  size: number;
  after?: number;
  before?: number;
}

interface PageMetadata {
  size: number;
  totalElements: number;
  totalPages: number;
  number: number;
  /** A search's count stopped at its bound: there are at least totalElements (only on searches). */
  totalElementsIsLowerBound?: boolean;
}

const isSearch = <T>(page: Page<T> | MatchPage<T>): page is MatchPage<T> => 'order' in page;

export function collectionResource<T extends { id: number }>(options: {
  endpoint: Endpoint;
  rel: string;
  filters: TemplateValues;
  request: PageLinksRequest;
  page: Page<T> | MatchPage<T>;
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
  const properties: { page: PageMetadata; order?: MatchOrder } = { page: metadata };
  if (isSearch(page)) {
    metadata.totalElementsIsLowerBound = page.totalElementsIsLowerBound;
    properties.order = page.order;
  }
  const resource = new HalResource(
    properties,
    at({ page: request.number, after: request.after, before: request.before }),
  );
  resource.link('first', at({ page: 1 }));
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  // Id order and relevance page on with the row after the last one shown; newest first, on to smaller ids.
  const newest = isSearch(page) && page.order === 'newest';
  const lowerBound = isSearch(page) && page.totalElementsIsLowerBound;
  if (page.number > 1) {
    // Past the end there is no row to seek from: the previous page is simply the last one.
    const back = newest ? { after: first?.id } : { before: first?.id };
    resource.link(
      'prev',
      first ? at({ page: page.number - 1, ...back }) : at({ page: Math.min(page.number - 1, page.totalPages) }),
    );
  }
  const more = page.number < page.totalPages || (lowerBound && page.items.length === page.size);
  if (last && more)
    resource.link('next', at({ page: page.number + 1, ...(newest ? { before: last.id } : { after: last.id }) }));
  // Where only a lower bound is known, so is the last page not.
  if (!lowerBound) resource.link('last', at({ page: page.totalPages }));
  resource.embed(rel, page.items.map(options.item));
  return resource;
}
