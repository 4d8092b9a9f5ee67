// The navigation links of a document, repeated as an RFC 8288 Link header so that `curl -I` shows the way.
import type { WireLink } from './hal.ts';

/**
 * Relations worth a header: where the client is, where it can page to, what describes the resource, and (RFC
 * 8631, on home documents) what describes the whole API.
 */
const HEADER_RELATIONS = ['self', 'first', 'prev', 'next', 'last', 'describedby', 'profile', 'service-desc', 'service-doc'];

export function linkHeader(links: Record<string, WireLink | WireLink[]>): string {
  const parts: string[] = [];
  for (const rel of HEADER_RELATIONS) {
    const value = links[rel];
    for (const link of value === undefined ? [] : ([] as WireLink[]).concat(value)) {
      if (link.templated) continue;
      parts.push(`<${link.href}>; rel="${rel}"${link.type ? `; type="${link.type}"` : ''}`);
    }
  }
  return parts.join(', ');
}
