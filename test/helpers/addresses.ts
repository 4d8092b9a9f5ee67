// Where answers send a client: every address an answer gives (hrefs, template targets, option links, Location,
// Content-Location, Link, problem type and instance), gathered by a crawl; and requests with a Host of the
// test's choosing, which fetch cannot send (it replaces Host with the URL's).
import { request as httpRequest } from 'node:http';
import { HAL_FORMS, type HalDocument, expand } from './hypermedia.ts';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over node:http, with exactly the headers given (Host included). */
export function rawRequest(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

export interface Address {
  /** Where it was found: the URL asked and the place in the answer. */
  where: string;
  address: string;
}

/** The addresses of an answer's headers. */
function headerAddresses(headers: Headers): string[] {
  const link = [...(headers.get('link') ?? '').matchAll(/<([^>]*)>/g)].map((match) => match[1]!);
  return [headers.get('location'), headers.get('content-location'), ...link].filter((a): a is string => a !== null);
}

/** Every address in a HAL or HAL-FORMS document (embedded resources, templates and their option links too). */
export function documentAddresses(document: HalDocument, at = '$'): Address[] {
  const found: Address[] = [];
  for (const [rel, value] of Object.entries(document._links ?? {})) {
    for (const link of ([] as { href: string }[]).concat(value))
      found.push({ where: `${at}._links.${rel}`, address: link.href });
  }
  for (const [name, template] of Object.entries(document._templates ?? {})) {
    found.push({ where: `${at}._templates.${name}.target`, address: String(template.target) });
    for (const property of template.properties ?? []) {
      const link = property.options?.link;
      if (link) found.push({ where: `${at}._templates.${name}.${property.name}.options.link`, address: link.href });
    }
  }
  for (const [rel, items] of Object.entries(document._embedded ?? {})) {
    items.forEach((item, i) => found.push(...documentAddresses(item, `${at}._embedded.${rel}[${i}]`)));
  }
  return found;
}

/** Relations that name actions (POST only): not followed with GET. */
const ACTIONS = new Set(['promote', 'merge', 'publish']);

/**
 * Follows every link from `start` (templates expanded with no values) on the origins in `follow`, up to `limit`
 * answers, and returns every address the answers gave, problems' type and instance included.
 */
export async function crawlAddresses(
  start: string,
  token: string,
  follow: readonly string[],
  limit = 150,
): Promise<{ addresses: Address[]; answers: number }> {
  const queue = [start];
  const seen = new Set<string>();
  const addresses: Address[] = [];
  while (queue.length > 0 && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${token}`, Accept: HAL_FORMS },
      redirect: 'manual',
    });
    const text = await response.text();
    for (const address of headerAddresses(response.headers)) addresses.push({ where: `${url} (headers)`, address });
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('application/problem+json')) {
      const problem = JSON.parse(text) as { type: string; instance?: string };
      addresses.push({ where: `${url} (problem type)`, address: problem.type });
      if (problem.instance !== undefined)
        addresses.push({ where: `${url} (problem instance)`, address: problem.instance });
    }
    if (!/^application\/(prs\.hal-forms|hal)\+json/.test(type)) continue;
    const document = JSON.parse(text) as HalDocument;
    const found = documentAddresses(document, url);
    addresses.push(...found);
    for (const { where, address } of found) {
      const rel = /_links\.([^.[]+)$/.exec(where)?.[1];
      if (rel === undefined || ACTIONS.has(rel)) continue;
      const concrete = address.includes('{') ? expand(address) : address;
      if (follow.some((origin) => concrete.startsWith(`${origin}/`))) queue.push(concrete);
    }
  }
  return { addresses, answers: seen.size };
}

/** The addresses not absolute on one of `origins`: what a client on another origin would send astray. */
export function strays(addresses: readonly Address[], origins: readonly string[]): string[] {
  return addresses
    .filter(({ address }) => !origins.some((origin) => address.startsWith(`${origin}/`)))
    .map(({ where, address }) => `${where}: ${address}`);
}
