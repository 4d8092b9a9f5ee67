// One HTTP exchange as a person reads it: the request line and headers sent, the status line, the headers
// that matter to a HAL client first (ETag, Location, Link, Deprecation…), the rest on demand, and the body.
import { h } from '../dom.ts';
import type { Answer, Exchange } from '../http.ts';
import { linkValues } from '../link-header.ts';
import { methodBadge, statusClass } from './navigation.ts';

/** Headers a hypermedia client acts on, shown before the others. */
const NOTABLE = [
  'etag',
  'location',
  'content-location',
  'link',
  'deprecation',
  'sunset',
  'allow',
  'preference-applied',
  'www-authenticate',
  'retry-after',
  'content-type',
  'x-request-id',
];

function maskedToken(value: string): string {
  const token = value.replace(/^Bearer\s+/i, '');
  return `Bearer ••••${token.slice(-4)}`;
}

function headerValue(name: string, value: string): HTMLElement {
  // A Link header lists many links: one per line reads far better than one long line.
  if (name === 'link')
    return h(
      'dd',
      {},
      linkValues(value).map((link) => h('span', { class: 'header-line' }, link)),
    );
  return h('dd', {}, value);
}

const SPELLINGS: Record<string, string> = {
  etag: 'ETag',
  'www-authenticate': 'WWW-Authenticate',
  'x-request-id': 'X-Request-Id',
  'x-content-type-options': 'X-Content-Type-Options',
};

/** Header names as RFCs write them (fetch gives them in lower case). */
function spelled(name: string): string {
  const lower = name.toLowerCase();
  return (
    SPELLINGS[lower] ?? lower.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())
  );
}

function headerList(headers: [string, string][]): HTMLElement {
  return h(
    'dl',
    { class: 'headers' },
    headers.map(([name, value]) => h('div', {}, h('dt', {}, spelled(name)), headerValue(name.toLowerCase(), value))),
  );
}

function ordered(answer: Answer): { notable: [string, string][]; others: [string, string][] } {
  const notable = NOTABLE.flatMap((name) => answer.headers.filter(([header]) => header.toLowerCase() === name));
  const others = answer.headers.filter(([header]) => !NOTABLE.includes(header.toLowerCase()));
  return { notable, others };
}

/** A body as shown: a 10 MB import is sent whole, but shown only so far. */
function shortened(body: string): string {
  const SHOWN = 20_000;
  return body.length <= SHOWN
    ? body
    : `${body.slice(0, SHOWN)}\n… (${(body.length - SHOWN).toLocaleString('en')} more characters, not shown)`;
}

export function statusLine(answer: Answer): HTMLElement {
  return h('span', { class: statusClass(answer.status) }, `${answer.status} ${answer.statusText}`.trim());
}

function bodyView(answer: Answer): HTMLElement | null {
  if (answer.text === '') return null;
  const text = answer.json === undefined ? answer.text : JSON.stringify(answer.json, null, 2);
  // Scrolls when long: focusable, so a keyboard can scroll it too.
  return h(
    'details',
    { class: 'raw' },
    h('summary', {}, `Body (${answer.text.length.toLocaleString('en')} bytes)`),
    h('pre', { tabindex: 0 }, text),
  );
}

export function exchangeView(exchange: Exchange): HTMLElement {
  const { request, answer } = exchange;
  const sent: [string, string][] = request.headers.map(([name, value]) => [
    name,
    name === 'Authorization' ? maskedToken(value) : value,
  ]);
  const parts = ordered(answer ?? ({ headers: [] } as unknown as Answer));
  return h(
    'div',
    { class: 'exchange' },
    h('div', { class: 'request-line' }, methodBadge(request.method), h('code', {}, request.url)),
    h(
      'details',
      { class: 'sent' },
      h('summary', {}, `Request headers (${sent.length})`),
      headerList(sent),
      request.body ? h('pre', { tabindex: 0 }, shortened(request.body)) : null,
    ),
    answer
      ? [
          h(
            'div',
            { class: 'status-line' },
            statusLine(answer),
            h('span', { class: 'muted' }, `${answer.milliseconds} ms`),
            answer.redirected ? h('span', { class: 'tag' }, `redirected to ${answer.url}`) : null,
          ),
          headerList(parts.notable),
          parts.others.length > 0
            ? h('details', {}, h('summary', {}, `Other headers (${parts.others.length})`), headerList(parts.others))
            : null,
          bodyView(answer),
        ]
      : h('p', { class: 'problem-detail' }, `No answer: ${exchange.failure ?? 'the request failed'}.`),
  );
}
