// HAL documents as the explorer reads them: links flattened into rows (arrays keep each link's `name`),
// embedded resources by relation, plain properties, and how to tell a HAL answer or a problem from the rest.
import { HAL_FORMS, HAL_JSON, PROBLEM_JSON } from '../http/media-types.ts';
import type { FormTemplate, HalLink } from '../links/wire.ts';

export type Link = HalLink;

export interface HalDocument {
  _links?: Record<string, Link | Link[]>;
  _embedded?: Record<string, HalDocument | HalDocument[]>;
  _templates?: Record<string, FormTemplate>;
  [property: string]: unknown;
}

export interface LinkRow {
  rel: string;
  link: Link;
  /** True when the relation is an array, even of one link (so its `name` tells them apart). */
  inArray: boolean;
}

export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: { pointer?: string; parameter?: string; detail?: string }[];
  [extension: string]: unknown;
}

const RESERVED = new Set(['_links', '_embedded', '_templates']);

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mediaTypeOf(contentType: string): string {
  const [type = ''] = contentType.split(';');
  return type.trim().toLowerCase();
}

export function isHal(contentType: string, body: unknown): body is HalDocument {
  const type = mediaTypeOf(contentType);
  return (type === HAL_JSON || type === HAL_FORMS) && isObject(body);
}

export function isProblem(contentType: string, body: unknown): body is ProblemDocument {
  return mediaTypeOf(contentType) === PROBLEM_JSON && isObject(body);
}

export function isHtml(contentType: string): boolean {
  return mediaTypeOf(contentType) === 'text/html';
}

export function linkRows(document: HalDocument): LinkRow[] {
  const rows: LinkRow[] = [];
  for (const [rel, value] of Object.entries(document._links ?? {})) {
    const inArray = Array.isArray(value);
    for (const link of inArray ? value : [value])
      if (isObject(link) && typeof link.href === 'string') rows.push({ rel, link, inArray });
  }
  return rows;
}

/** The first link of a relation, if the document has one. */
export function linkOf(document: HalDocument, rel: string): Link | undefined {
  return linkRows(document).find((row) => row.rel === rel)?.link;
}

export function embeddedOf(document: HalDocument): { rel: string; items: HalDocument[] }[] {
  return Object.entries(document._embedded ?? {}).map(([rel, value]) => ({
    rel,
    items: (Array.isArray(value) ? value : [value]).filter(isObject),
  }));
}

export function propertiesOf(document: HalDocument): [string, unknown][] {
  return Object.entries(document).filter(([name]) => !RESERVED.has(name));
}

/** A name a person recognises the resource by: its self link's title, or a property that reads like one. */
export function titleOf(document: HalDocument): string | undefined {
  const self = linkOf(document, 'self');
  if (self?.title) return self.title;
  for (const name of ['title', 'name', 'question', 'summary']) {
    const value = document[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}
