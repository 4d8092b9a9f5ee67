// The links of a resource as a table: relation (with its name inside arrays), title, target. A plain link
// opens in the explorer; a templated one opens a small form with a field per template variable; a page for
// people (text/html) opens as a page.
import { type Child, h, uniqueId } from '../dom.ts';
import type { Link, LinkRow } from '../hal.ts';
import { expand, variablesOf } from '../uri-template.ts';
import { type Open, apiLink, pageLink } from './navigation.ts';

function labelOf(row: LinkRow): string {
  return row.inArray && row.link.name ? `${row.rel} ${row.link.name}` : row.rel;
}

/** The form that fills a templated link in; it opens the expanded URL. */
export function templateForm(link: Link, label: string, open: Open): HTMLFormElement {
  const variables = variablesOf(link.href);
  const inputs = new Map<string, HTMLInputElement>();
  const preview = h('output', { class: 'expansion' }, expand(link.href, {}));
  const values = () => Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
  const fields = variables.map((name) => {
    const id = uniqueId('var');
    const input = h('input', { id, name, type: 'text', autocomplete: 'off', spellcheck: 'false' });
    inputs.set(name, input);
    return h('div', { class: 'variable' }, h('label', { for: id }, name), input);
  });
  const form = h(
    'form',
    {
      class: 'template-form',
      'aria-label': `Fill in ${label}`,
      on: {
        input: () => {
          preview.textContent = expand(link.href, values());
        },
        submit: (event) => {
          event.preventDefault();
          open(expand(link.href, values()));
        },
      },
    },
    h('div', { class: 'variables' }, fields),
    h('div', { class: 'template-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Open'), h('span', { class: 'muted' }, '→ '), preview),
  );
  return form;
}

/** An href that may wrap after its separators rather than inside a word (`/faqs{?page,size,…}`). */
function breakable(href: string): Child[] {
  return href.split(/(?<=[,&?/])/).flatMap((part, index) => (index === 0 ? [part] : [h('wbr'), part]));
}

function targetCell(row: LinkRow): HTMLElement {
  const { link } = row;
  return h(
    'td',
    { class: 'link-target' },
    h('code', {}, breakable(link.href)),
    link.type ? h('span', { class: 'tag' }, link.type) : null,
    link.deprecation ? h('span', { class: 'tag tag-warning' }, 'deprecated') : null,
  );
}

function actionCell(row: LinkRow, open: Open, toggle: () => void, expanded: () => boolean): HTMLElement {
  const { link } = row;
  const label = labelOf(row);
  if (link.templated) {
    const button = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', 'aria-label': `Fill in ${label}` }, 'Fill in…');
    button.addEventListener('click', () => {
      toggle();
      button.setAttribute('aria-expanded', String(expanded()));
    });
    return h('td', { class: 'link-action' }, button);
  }
  if (link.type === 'text/html') {
    return h('td', { class: 'link-action' }, pageLink(link.href, { class: 'button small', 'aria-label': `Read ${label}` }, 'Read ↗'));
  }
  return h('td', { class: 'link-action' }, apiLink(link.href, open, { class: 'button small', 'aria-label': `Open ${label}` }, 'Open'));
}

export function linksTable(rows: LinkRow[], open: Open): HTMLElement {
  const body = h('tbody');
  for (const row of rows) {
    const label = labelOf(row);
    let formRow: HTMLTableRowElement | undefined;
    const toggle = () => {
      if (formRow) {
        formRow.remove();
        formRow = undefined;
        return;
      }
      const form = templateForm(row.link, label, open);
      formRow = h('tr', { class: 'template-row' }, h('td', { colspan: 4 }, form));
      tr.after(formRow);
      form.querySelector('input')?.focus();
    };
    const tr = h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'rel' }, row.rel, row.inArray && row.link.name ? h('span', { class: 'link-name' }, row.link.name) : null),
      h('td', { class: 'link-title' }, row.link.title ?? ''),
      targetCell(row),
      actionCell(row, open, toggle, () => formRow !== undefined),
    );
    body.append(tr);
  }
  return h(
    'table',
    { class: 'links' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Relation'), h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Target'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')))),
    body,
  );
}
