// Requests may name a resource by its id or by its URI (relative, or absolute on this server):
// both are resolved here, through the same templates the links are made from.
import type { Endpoint } from './registry.ts';

const ID = /^[1-9]\d{0,14}$/;

/** The numeric id in a path segment, or undefined when it cannot be one of ours. */
export function parseId(raw: string | undefined): number | undefined {
  return raw !== undefined && ID.test(raw) ? Number(raw) : undefined;
}

/** The id a reference names on `endpoint`, or undefined when it names nothing there. */
export function referencedId(value: unknown, endpoint: Endpoint, origin: string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (ID.test(value)) return Number(value);
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || url.search !== '' || url.hash !== '') return undefined;
  return parseId(endpoint.match(url.pathname)?.id);
}
