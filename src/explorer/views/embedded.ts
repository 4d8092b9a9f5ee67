// Embedded resources, grouped by relation: each a collapsible card that shows its properties and links and
// opens as the current resource.
import { h } from '../dom.ts';
import { fieldFaults } from '../forms.ts';
import { type HalDocument, embeddedOf, linkOf, linkRows, propertiesOf, titleOf } from '../hal.ts';
import { type LinkActions, linksTable } from './links.ts';
import { apiLink } from './navigation.ts';
import { BADGE_PROPERTIES, badge, propertiesTable } from './properties.ts';

function embeddedItem(item: HalDocument, rel: string, index: number, actions: LinkActions): HTMLElement {
  const { open } = actions;
  const self = linkOf(item, 'self');
  const title = titleOf(item) ?? self?.href ?? `${rel} ${index + 1}`;
  // A short word or two that tells items apart at a glance, when the resource has one.
  const badges = BADGE_PROPERTIES.filter((name) => typeof item[name] === 'string').map((name) =>
    badge(name, String(item[name])),
  );
  const rows = linkRows(item).filter((row) => row.rel !== 'self');
  // A problem (an import's refused row) says what is wrong at a glance, without being opened.
  const faults = Array.isArray(item.errors) ? fieldFaults(item.errors as { pointer?: string; detail?: string }[]) : [];
  const problem =
    faults.length > 0
      ? faults.map((fault) => fault.message).join(' · ')
      : typeof item.detail === 'string'
        ? item.detail
        : undefined;
  return h(
    'li',
    {},
    h(
      'details',
      { class: 'embedded-item' },
      h(
        'summary',
        {},
        h('span', { class: 'embedded-title' }, title),
        badges,
        problem ? h('span', { class: 'embedded-problem' }, problem) : null,
        self ? h('code', { class: 'embedded-href' }, self.href) : null,
      ),
      h(
        'div',
        { class: 'embedded-body' },
        propertiesTable(propertiesOf(item), open, 'compact'),
        rows.length > 0 ? linksTable(rows, actions) : null,
      ),
    ),
    self && !self.templated
      ? apiLink(self.href, open, { class: 'button small open-embedded', 'aria-label': `Open ${title}` }, 'Open')
      : null,
  );
}

export function embeddedView(document: HalDocument, actions: LinkActions): HTMLElement | null {
  const groups = embeddedOf(document);
  if (groups.length === 0) return null;
  return h(
    'div',
    { class: 'embedded' },
    groups.map(({ rel, items }) =>
      h(
        'section',
        { class: 'card', 'aria-label': `Embedded ${rel}` },
        h('h2', {}, 'Embedded ', h('code', {}, rel), h('span', { class: 'count' }, String(items.length))),
        items.length === 0
          ? h('p', { class: 'muted' }, 'None.')
          : h(
              'ul',
              { class: 'embedded-list' },
              items.map((item, index) => embeddedItem(item, rel, index, actions)),
            ),
      ),
    ),
  );
}
