// The links of a resource as a table: relation (with its name inside arrays), title, target. A plain link
// opens in the explorer, and offers the other methods its target allows; a templated one opens a small form
// with a field per template variable; a page for people (text/html) opens as a page.
import { type Child, h, uniqueId } from '../dom.ts';
import type { Link, LinkRow } from '../hal.ts';
import { variableChoices } from '../schema-hints.ts';
import { expand, variablesOf } from '../uri-template.ts';
import { type Open, apiLink, ownPath, pageLink } from './navigation.ts';
import { type RequestActions, methodsPanel } from './request.ts';

/** A relation's page for people, and what it says in a line. */
export interface RelationDoc {
  href: string;
  summary?: string | undefined;
}

export interface LinkActions extends RequestActions {
  open: Open;
  /** The relations this API explains (its home's `help` links), by name. */
  docs?: ReadonlyMap<string, RelationDoc>;
}

function labelOf(row: LinkRow): string {
  return row.inArray && row.link.name ? `${row.rel} ${row.link.name}` : row.rel;
}

/** The form that fills a templated link in; it opens the expanded URL. */
function templateForm(link: Link, label: string, open: Open): HTMLFormElement {
  const variables = variablesOf(link.href);
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const preview = h('output', { class: 'expansion' }, expand(link.href, {}));
  const values = () => Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
  const fields = variables.map((name) => {
    const id = uniqueId('var');
    const input = h('input', { id, name, type: 'text', autocomplete: 'off', spellcheck: 'false' });
    inputs.set(name, input);
    return h('div', { class: 'variable' }, h('label', { for: id }, name), input);
  });
  // Variables with a known set of values become choices, once the target says which (unless already typed in).
  void variableChoices(link.href)
    .catch(() => ({}))
    .then((choices) => {
      for (const [name, values] of Object.entries(choices)) {
        const input = inputs.get(name);
        if (!(input instanceof HTMLInputElement) || input.value !== '' || document.activeElement === input) continue;
        const select = h(
          'select',
          { id: input.id, name },
          h('option', { value: '' }, 'any'),
          values.map((value) => h('option', { value }, value)),
        );
        input.replaceWith(select);
        inputs.set(name, select);
      }
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
        change: () => {
          preview.textContent = expand(link.href, values());
        },
        submit: (event) => {
          event.preventDefault();
          open(expand(link.href, values()));
        },
      },
    },
    h('div', { class: 'variables' }, fields),
    h(
      'div',
      { class: 'template-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Open'),
      h('span', { class: 'muted' }, '→ '),
      preview,
    ),
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

/** A row's disclosure: a button that opens (and closes) a row of its own below the link. */
function disclosure(
  text: string,
  name: string,
  show: () => HTMLElement,
  row: () => HTMLTableRowElement,
  look = { class: 'small', label: `${text} ${name}` },
): HTMLButtonElement {
  let shown: HTMLTableRowElement | undefined;
  const button = h(
    'button',
    { type: 'button', class: look.class, 'aria-expanded': 'false', 'aria-label': look.label },
    text,
  );
  button.addEventListener('click', () => {
    if (shown) {
      shown.remove();
      shown = undefined;
    } else {
      const content = show();
      shown = h('tr', { class: 'template-row' }, h('td', { colspan: 4 }, content));
      row().after(shown);
      content.querySelector<HTMLElement>('input')?.focus();
    }
    button.setAttribute('aria-expanded', String(shown !== undefined));
  });
  return button;
}

function actionCell(row: LinkRow, actions: LinkActions, tr: () => HTMLTableRowElement): HTMLElement {
  const { link } = row;
  const label = labelOf(row);
  if (link.templated)
    return h(
      'td',
      { class: 'link-action' },
      disclosure('Fill in', label, () => templateForm(link, label, actions.open), tr),
    );
  if (link.type === 'text/html') {
    return h(
      'td',
      { class: 'link-action' },
      pageLink(link.href, { class: 'button small', 'aria-label': `Read ${label}` }, 'Read'),
    );
  }
  const path = ownPath(link.href);
  return h(
    'td',
    { class: 'link-action' },
    apiLink(link.href, actions.open, { class: 'button small', 'aria-label': `Open ${label}` }, 'Open'),
    path === undefined ? null : disclosure('Methods', label, () => methodsPanel(path, actions), tr),
  );
}

/** What a relation means, beside it: a line, and its page for people. */
function relationInfo(rel: string, doc: RelationDoc, tr: () => HTMLTableRowElement): HTMLElement {
  const show = () =>
    h(
      'div',
      { class: 'relation-doc' },
      h('p', {}, h('strong', {}, rel), doc.summary ? `: ${doc.summary}` : null),
      pageLink(doc.href, { class: 'value-link' }, `How to use ${rel}`),
    );
  return disclosure('i', rel, show, tr, { class: 'info', label: `About ${rel}` });
}

/** The rows worth a line of their own: a `help` link beside the relation it explains is shown there instead. */
export function rowsShown(rows: LinkRow[], docs: ReadonlyMap<string, RelationDoc> | undefined): LinkRow[] {
  return rows.filter((row) => !(row.rel === 'help' && row.link.name !== undefined && docs?.has(row.link.name)));
}

export function linksTable(rows: LinkRow[], actions: LinkActions): HTMLElement {
  const body = h('tbody');
  for (const row of rowsShown(rows, actions.docs)) {
    const doc = actions.docs?.get(row.rel);
    const tr: HTMLTableRowElement = h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row', class: 'rel' },
        row.rel,
        row.inArray && row.link.name ? h('span', { class: 'link-name' }, row.link.name) : null,
        row.link.title ? h('span', { class: 'link-subtitle' }, row.link.title) : null,
      ),
      h('td', { class: 'link-title' }, row.link.title ?? ''),
      targetCell(row),
    );
    const action = actionCell(row, actions, () => tr);
    // Beside the row's actions, so that the row header stays the relation's name alone.
    if (doc) action.prepend(relationInfo(row.rel, doc, () => tr));
    tr.append(action);
    body.append(tr);
  }
  return h(
    'table',
    { class: 'links' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Relation'),
        h('th', { scope: 'col' }, 'Title'),
        h('th', { scope: 'col' }, 'Target'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
      ),
    ),
    body,
  );
}
