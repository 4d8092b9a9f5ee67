// What a valid HAL answer of this API looks like, as one checker that lists every violation it finds,
// and the small readers tests use to follow links (never building hrefs themselves).
import parseTemplate from 'uri-templates';

export interface HalLink {
  href: string;
  templated?: boolean;
  title?: string;
  [attribute: string]: unknown;
}

export interface HalDocument {
  _links: Record<string, HalLink | HalLink[]>;
  _embedded?: Record<string, HalDocument[]>;
  [property: string]: unknown;
}

/** Relations that must be arrays whatever their length (clients rely on the shape). */
const ALWAYS_ARRAYS = new Set(['related', 'curies']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** scheme://host[:port]/path…: what every href is, so that a client on another origin goes to the right server. */
const ABSOLUTE_URI = /^https?:\/\/[^/?#{}]+\//;

/** The path of an absolute href (its template variables kept), for tests that check where a link points. */
export function pathOf(href: string): string {
  return href.replace(/^https?:\/\/[^/?#{}]+/, '');
}

function linkViolations(link: unknown, where: string): string[] {
  if (!isObject(link)) return [`${where} is not a link object`];
  const { href } = link;
  if (typeof href !== 'string') return [`${where} has no string href`];
  const problems: string[] = [];
  if (!ABSOLUTE_URI.test(href)) problems.push(`${where} href ${href} is not an absolute URI`);
  if (href.includes('{') && link.templated !== true)
    problems.push(`${where} href ${href} is a template without templated: true`);
  if (!href.includes('{') && 'templated' in link) problems.push(`${where} href ${href} is plain but has templated`);
  if ('rel' in link) problems.push(`${where} carries a stray rel key`);
  return problems;
}

/**
 * Every way `document` breaks this API's HAL promises: `_links.self` on every resource (embedded ones too),
 * `templated: true` exactly on templates, absolute-URI hrefs, `related` always an array (and present on every
 * FAQ), `_embedded` relations always arrays of valid resources. An empty list means valid.
 */
export function halViolations(document: unknown, where = '$'): string[] {
  if (!isObject(document)) return [`${where} is not a JSON object`];
  const links = document._links;
  if (!isObject(links)) return [`${where} has no _links object`];
  const problems: string[] = [];
  const self = links.self;
  if (self === undefined) problems.push(`${where} has no _links.self`);
  else if (Array.isArray(self)) problems.push(`${where}._links.self is an array`);
  for (const [rel, value] of Object.entries(links)) {
    const at = `${where}._links.${rel}`;
    if (Array.isArray(value)) value.forEach((link, i) => problems.push(...linkViolations(link, `${at}[${i}]`)));
    else {
      if (ALWAYS_ARRAYS.has(rel)) problems.push(`${at} is not an array`);
      problems.push(...linkViolations(value, at));
    }
  }
  const selfHref = isObject(self) ? self.href : undefined;
  if (typeof selfHref === 'string' && /^\/faqs\/\d+$/.test(pathOf(selfHref)) && !Array.isArray(links.related)) {
    problems.push(`${where} is an FAQ without a _links.related array`);
  }
  if ('_embedded' in document) {
    const embedded = document._embedded;
    if (!isObject(embedded)) problems.push(`${where}._embedded is not an object`);
    else {
      for (const [rel, value] of Object.entries(embedded)) {
        const at = `${where}._embedded.${rel}`;
        if (!Array.isArray(value)) problems.push(`${at} is not an array`);
        else value.forEach((item, i) => problems.push(...halViolations(item, `${at}[${i}]`)));
      }
    }
  }
  return problems;
}

/** The links of a relation, always as a list. */
export function linksOf(document: HalDocument, rel: string): HalLink[] {
  const value = document._links[rel];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The one href of a relation; throws when the relation is missing, so a test cannot pass by accident. */
export function hrefOf(document: HalDocument, rel: string): string {
  const [link] = linksOf(document, rel);
  if (!link) throw new Error(`no "${rel}" link in ${JSON.stringify(document._links)}`);
  return link.href;
}

/** Every link of a document and of the resources embedded in it, with its relation. */
export function everyLink(document: HalDocument): { rel: string; link: HalLink }[] {
  const found = Object.keys(document._links).flatMap((rel) => linksOf(document, rel).map((link) => ({ rel, link })));
  for (const items of Object.values(document._embedded ?? {})) {
    for (const item of items) found.push(...everyLink(item));
  }
  return found;
}

/** Expands an RFC 6570 template as a client would (uri-templates drops unset variables). */
export function expand(href: string, values: Record<string, string | number> = {}): string {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) strings[name] = String(value);
  return parseTemplate(href).fill(strings);
}

/** The variables a template names. */
export function variablesOf(href: string): string[] {
  return parseTemplate(href).varNames;
}

/** The embedded resources of a relation; throws when missing, since collections must always embed an array. */
export function embedded(document: HalDocument, rel: string): HalDocument[] {
  const items = document._embedded?.[rel];
  if (!Array.isArray(items)) throw new Error(`no _embedded.${rel} array in ${JSON.stringify(Object.keys(document))}`);
  return items;
}

/** The ids of the resources embedded under `rel`, in their order. */
export function embeddedIds(document: HalDocument, rel: string): number[] {
  return embedded(document, rel).map((item) => item.id as number);
}

/**
 * A version ETag without its origin part (`"v2-admin-o1a2b3c4d"` → `"v2-admin"`): tags depend on the origin a
 * representation's addresses were built for, which a test of versions or variants need not spell out.
 */
export function withoutOrigin(etag: string | null | undefined): string | null | undefined {
  return etag?.replace(/-o[0-9a-f]{8}"$/, '"');
}
