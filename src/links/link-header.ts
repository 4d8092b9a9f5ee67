// The navigation links of a document, repeated as an RFC 8288 Link header so that `curl -I` shows the way.
import type { WireLink } from './hal.ts';

/**
 * Relations worth a header: where the client is, where it can page to, what describes the resource, and (RFC
 * 8631, on home documents) what describes the whole API.
 */
const HEADER_RELATIONS = [
  'self',
  'first',
  'prev',
  'next',
  'last',
  'describedby',
  'profile',
  'service-desc',
  'service-doc',
];

/** One link as an RFC 8288 link-value: `<href>; rel="rel"`, with its media type when it has one. */
export function linkValue(rel: string, link: Pick<WireLink, 'href' | 'type'>): string {
  return `<${link.href}>; rel="${rel}"${link.type ? `; type="${link.type}"` : ''}`;
}

export function linkHeader(links: Record<string, WireLink | WireLink[]>): string {
  let header = '';
  // Written out as it goes (no list of parts, no array made of a single link): every answer builds one.
  const add = (rel: string, link: WireLink) => {
    if (!link.templated) header += (header === '' ? '' : ', ') + linkValue(rel, link);
  };
  for (const rel of HEADER_RELATIONS) {
    const value = links[rel];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const link of value) add(rel, link);
    else add(rel, value);
  }
  return header;
}
