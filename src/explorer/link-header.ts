// Reads an HTTP Link header (RFC 8288) into links, for what the explorer acts on: a deprecated resource's
// successor and the page that explains its deprecation.

export interface HeaderLink {
  href: string;
  rels: string[];
}

/**
 * The link-values of a Link header, each `<uri>` with its parameters: a comma outside a quoted string ends one.
 * Matched rather than split at "a comma before `<`", which takes a lookahead no ReDoS checker can judge.
 */
export function linkValues(header: string): string[] {
  return (header.match(/<[^<>]*>(?:[^",]|"[^"]*")*/g) ?? []).map((value) => value.trim());
}

export function parseLinkHeader(header: string): HeaderLink[] {
  const links: HeaderLink[] = [];
  for (const part of linkValues(header)) {
    const [, href, parameters] = /^\s*<([^>]*)>(.*)$/.exec(part) ?? [];
    if (href === undefined || parameters === undefined) continue;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(parameters);
    links.push({ href, rels: (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean) });
  }
  return links;
}

/** A date from a Deprecation header (`@1795305600`, RFC 9745) or an HTTP-date (Sunset), as YYYY-MM-DD. */
export function headerDate(value: string): string | undefined {
  const seconds = /^@(-?\d+)$/.exec(value.trim());
  const time = seconds ? Number(seconds[1]) * 1000 : Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString().slice(0, 10) : undefined;
}
