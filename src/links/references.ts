// Requests may name a resource by its id or by its URI (relative, or absolute on this server):
// both are resolved here, through the same templates the links are made from.
import type { Endpoint } from './registry.ts';

const ID = /^[1-9]\d{0,9}$/;

/** Ids are 32-bit on PostgreSQL (integer identity): a larger number names nothing on either engine. */
const MAX_STORED_ID = 2 ** 31 - 1;

const isId = (n: number) => Number.isSafeInteger(n) && n > 0 && n <= MAX_STORED_ID;

/** The numeric id in a path segment, or undefined when it cannot be one of ours. */
export function parseId(raw: string | undefined): number | undefined {
  return raw !== undefined && ID.test(raw) && isId(Number(raw)) ? Number(raw) : undefined;
}

/** The id a reference names on `endpoint`, or undefined when it names nothing there. */
export function referencedId(value: unknown, endpoint: Endpoint, origin: string): number | undefined {
  if (typeof value === 'number') return isId(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (ID.test(value)) return isId(Number(value)) ? Number(value) : undefined;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || url.search !== '' || url.hash !== '') return undefined;
  return parseId(endpoint.match(url.pathname)?.id);
}
