// Paging controls from a collection's first/prev/next/last links, with the page metadata when there is some.
import { h } from '../dom.ts';
import { type HalDocument, isObject, linkOf } from '../hal.ts';
import { type Open, apiLink } from './navigation.ts';

const STEPS = [
  ['first', '« First'],
  ['prev', '‹ Previous'],
  ['next', 'Next ›'],
  ['last', 'Last »'],
] as const;

function pageSummary(document: HalDocument): string | undefined {
  const page = document.page;
  if (!isObject(page)) return undefined;
  const { number, totalPages, totalElements } = page;
  const parts: string[] = [];
  if (typeof number === 'number' && typeof totalPages === 'number') parts.push(`Page ${number} of ${totalPages}`);
  if (typeof totalElements === 'number') parts.push(`${totalElements} ${totalElements === 1 ? 'item' : 'items'}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

export function paginationView(document: HalDocument, open: Open): HTMLElement | null {
  const links = STEPS.map(([rel, label]) => ({ rel, label, link: linkOf(document, rel) }));
  if (links.every(({ link }) => link === undefined)) return null;
  return h(
    'nav',
    { class: 'pagination', 'aria-label': 'Pages' },
    links.map(({ rel, label, link }) =>
      link && !link.templated
        ? apiLink(link.href, open, { class: 'button', rel: rel === 'prev' || rel === 'next' ? rel : undefined }, label)
        : h('span', { class: 'button', 'aria-disabled': 'true' }, label),
    ),
    h('span', { class: 'page-summary' }, pageSummary(document) ?? ''),
  );
}
