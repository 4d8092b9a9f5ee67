// A resource's own properties, as a table of names and values: text as text, lists as chips, nested objects
// as nested tables, and URLs of this API as links that open in the explorer.
import { type Child, h } from '../dom.ts';
import { isObject } from '../hal.ts';
import { type Open, apiLink } from './navigation.ts';

/** A path on this server (`//host/…` is another host, and is left as text). */
const API_PATH = /^\/(?:[^/\s]\S*)?$/;

/** Properties whose short values read best as coloured badges (a ticket's status, say). */
export const BADGE_PROPERTIES = ['status', 'priority', 'role', 'state'];

export function badge(name: string, value: string): HTMLElement {
  return h('span', { class: `badge badge-${value.toLowerCase().replace(/[^a-z0-9-]/g, '')}`, title: name }, value);
}

function valueView(value: unknown, open: Open, name = ''): Child {
  if (value === null) return h('span', { class: 'value-null' }, 'null');
  if (typeof value === 'string') {
    if (value === '') return h('span', { class: 'value-empty' }, 'empty');
    if (API_PATH.test(value)) return apiLink(value, open, { class: 'value-link' }, value);
    if (BADGE_PROPERTIES.includes(name) && value.length <= 24) return badge(name, value);
    return h('span', { class: 'value-text' }, value);
  }
  if (typeof value === 'number' || typeof value === 'boolean')
    return h('span', { class: 'value-scalar' }, String(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { class: 'value-empty' }, 'none');
    if (value.every((item) => !isObject(item) && !Array.isArray(item))) {
      return h(
        'ul',
        { class: 'chips' },
        value.map((item) => h('li', {}, valueView(item, open))),
      );
    }
    return h('pre', { class: 'value-json' }, JSON.stringify(value, null, 2));
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    // A small record of plain values (a page's size and counts) reads best on one line.
    if (entries.length <= 6 && entries.every(([, item]) => item === null || typeof item !== 'object')) {
      return h(
        'ul',
        { class: 'pairs' },
        entries.map(([key, item]) =>
          h('li', {}, h('span', { class: 'pair-name' }, key), ' ', valueView(item, open, key)),
        ),
      );
    }
    return propertiesTable(entries, open, 'nested');
  }
  return String(value);
}

export function propertiesTable(properties: [string, unknown][], open: Open, variant = ''): HTMLElement {
  return h(
    'dl',
    { class: `properties ${variant}`.trim() },
    properties.map(([name, value]) =>
      h('div', { class: 'property' }, h('dt', {}, name), h('dd', {}, valueView(value, open, name))),
    ),
  );
}
