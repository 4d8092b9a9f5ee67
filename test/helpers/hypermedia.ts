// What the contract tests share: the shapes of HAL and HAL-FORMS documents as a client reads them, Link header
// parsing, and template expansion (through uri-templates, as any RFC 6570 client would).
import parseTemplate from 'uri-templates';
import type { FormProperty, FormTemplate } from '../../src/links/forms.ts';
import type { HalLink } from '../../src/links/wire.ts';

export { HAL_FORMS, HAL_JSON } from '../../src/http/media-types.ts';
// The wire types are the server's own (src/links/wire.ts), narrowed to what it promises to write.
export type { FormProperty };
export type Link = HalLink;
export type Template = FormTemplate;

export interface HalDocument {
  _links: Record<string, Link | Link[]>;
  _embedded?: Record<string, HalDocument[]>;
  _templates?: Record<string, Template>;
  [property: string]: unknown;
}

/** The one link under a relation (fails loudly when the relation is missing or is an array). */
export function linkOf(document: HalDocument, rel: string): Link {
  const link = document._links[rel];
  if (link === undefined || Array.isArray(link))
    throw new Error(`expected one "${rel}" link, got ${JSON.stringify(link)}`);
  return link;
}

/** Every link of a document, its embedded documents included, as [rel, link] pairs. */
export function everyLink(document: HalDocument): [string, Link][] {
  const own = Object.entries(document._links).flatMap(([rel, value]) =>
    ([] as Link[]).concat(value).map((link): [string, Link] => [rel, link]),
  );
  const embedded = Object.values(document._embedded ?? {})
    .flat()
    .flatMap(everyLink);
  return [...own, ...embedded];
}

/** RFC 6570 expansion; unset variables drop out. */
export function expand(href: string, values: Record<string, string | number> = {}): string {
  return parseTemplate(href).fill(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
}

export interface HeaderLink {
  href: string;
  rel: string;
  type?: string;
}

/** An RFC 8288 Link header, one entry per link-value (quoted parameters only, which is all this API sends). */
export function parseLinkHeader(header: string | null): HeaderLink[] {
  if (!header) return [];
  const links: HeaderLink[] = [];
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[\w-]+="[^"]*")*)/g)) {
    const parameters = Object.fromEntries([...match[2]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((p) => [p[1]!, p[2]!]));
    for (const rel of (parameters.rel ?? '').split(/\s+/).filter(Boolean)) {
      links.push({ href: match[1]!, rel, ...(parameters.type ? { type: parameters.type } : {}) });
    }
  }
  return links;
}

/** The names of a template's properties, in order. */
export const names = (template: Template) => template.properties.map((p) => p.name);

/** A template's property by name (fails loudly when it is missing). */
export function propertyOf(template: Template, name: string): FormProperty {
  const property = template.properties.find((p) => p.name === name);
  if (!property) throw new Error(`template "${template.title}" has no property "${name}"`);
  return property;
}
