// Talks to the API the way a HAL client should: asks for HAL-FORMS first (or what the person chose), sends the
// session's bearer token and the headers the person added, and keeps the whole exchange (request and answer,
// headers included) so the page can show it.
import { HAL_FORMS, HAL_JSON, JSON_TYPE } from '../http/media-types.ts';
import { acceptChoice, currentToken, extraHeaders, rememberETag } from './session.ts';

/**
 * HAL-FORMS first (it carries the templates), then plain HAL; anything else (a JSON Schema, a relation's
 * page) is still shown for what it is rather than refused with 406.
 */
const ACCEPT = `${HAL_FORMS}, ${HAL_JSON};q=0.9, ${JSON_TYPE};q=0.8, */*;q=0.1`;

/** What a person may ask for, by key: the first is the default. Each still takes anything rather than a 406. */
export const ACCEPT_CHOICES = [
  { key: '', label: 'HAL-FORMS', accept: ACCEPT },
  { key: 'hal', label: 'HAL', accept: `${HAL_JSON}, ${JSON_TYPE};q=0.8, */*;q=0.1` },
  { key: 'json', label: 'JSON', accept: `${JSON_TYPE}, */*;q=0.1` },
] as const;

function chosenAccept(): string {
  return (ACCEPT_CHOICES.find((choice) => choice.key === acceptChoice()) ?? ACCEPT_CHOICES[0]).accept;
}

interface SentRequest {
  method: string;
  /** Path and query, on this server. */
  url: string;
  headers: [string, string][];
  body?: string;
}

export interface Answer {
  status: number;
  statusText: string;
  /** Where the answer came from, after redirects (path and query). */
  url: string;
  redirected: boolean;
  headers: [string, string][];
  contentType: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: unknown;
  text: string;
  milliseconds: number;
}

export interface Exchange {
  request: SentRequest;
  answer?: Answer;
  /** Why no answer came (the network failed). */
  failure?: string;
}

export interface Sending {
  /** A body to send as JSON. */
  body?: unknown;
  /** A body to send as it is (an import's NDJSON, say). */
  text?: string;
  contentType?: string;
  ifMatch?: string;
  /**
   * A request the explorer makes for itself (a schema, a form's choices, a link's methods): it asks for
   * HAL-FORMS and leaves out the person's own headers, which are for the requests they make.
   */
  internal?: boolean;
}

export function pathOf(url: URL | string): string {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
}

/** The headers of a request: the explorer's own, then the person's, which replace any of the same name. */
function requestHeaders(sending: Sending): [string, string][] {
  const headers: [string, string][] = [['Accept', sending.internal ? ACCEPT : chosenAccept()]];
  const token = currentToken();
  if (token !== '') headers.push(['Authorization', `Bearer ${token}`]);
  if (sending.contentType !== undefined) headers.push(['Content-Type', sending.contentType]);
  if (sending.ifMatch !== undefined) headers.push(['If-Match', sending.ifMatch]);
  if (sending.internal) return headers;
  const extra = extraHeaders();
  const replaced = new Set(extra.map(([name]) => name.toLowerCase()));
  return [...headers.filter(([name]) => !replaced.has(name.toLowerCase())), ...extra];
}

export async function send(method: string, url: string, sending: Sending = {}): Promise<Exchange> {
  const request: SentRequest = { method, url: pathOf(url), headers: requestHeaders(sending) };
  if (sending.text !== undefined) request.body = sending.text;
  else if (sending.body !== undefined) request.body = JSON.stringify(sending.body, null, 2);
  const started = performance.now();
  let response: Response;
  try {
    // A header a browser may not send (Host, say), or a name or value that is no header at all, fails here:
    // reported as the request's failure, like a network error.
    // The browser's cache is bypassed: the explorer always shows what the server says now.
    response = await fetch(request.url, {
      method,
      headers: request.headers,
      body: request.body,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    return { request, failure: error instanceof Error ? error.message : String(error) };
  }
  const text = await response.text();
  const contentType = response.headers.get('Content-Type') ?? '';
  let json: unknown;
  if (/[/+]json\b/.test(contentType)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // shown as text
    }
  }
  const answer: Answer = {
    status: response.status,
    statusText: response.statusText,
    url: pathOf(response.url),
    redirected: response.redirected,
    headers: [...response.headers.entries()],
    contentType,
    json,
    text,
    milliseconds: Math.round(performance.now() - started),
  };
  if (response.ok)
    rememberETag(describedResource(method, answer, response.headers) ?? '', response.headers.get('ETag'));
  return { request, answer };
}

/**
 * Which resource an answer's ETag belongs to (RFC 9110 §8.8.3): the one Content-Location names, a created
 * resource's Location, or the target of a GET, PUT or PATCH. A POST's answer is not the POSTed-to resource.
 */
function describedResource(method: string, answer: Answer, headers: Headers): string | undefined {
  const contentLocation = headers.get('Content-Location');
  if (contentLocation) return pathOf(contentLocation);
  const location = headers.get('Location');
  if (answer.status === 201 && location) return pathOf(location);
  return ['GET', 'HEAD', 'PUT', 'PATCH'].includes(method) ? answer.url : undefined;
}
