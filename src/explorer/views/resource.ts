// The page for one answer: what it is (title, URL, status), what it says (a problem, or properties, pages,
// links and embedded resources), what can be done there (its HAL-FORMS templates), and the HTTP exchange.
import { type Child, h } from '../dom.ts';
import { type FieldHint, methodOf } from '../forms.ts';
import {
  type HalDocument,
  embeddedOf,
  isHal,
  isHtml,
  isProblem,
  linkOf,
  linkRows,
  propertiesOf,
  titleOf,
} from '../hal.ts';
import type { Answer, Exchange } from '../http.ts';
import { headerDate, parseLinkHeader } from '../link-header.ts';
import { embeddedView } from './embedded.ts';
import { exchangeView, statusLine } from './exchange.ts';
import { templateCard } from './form.ts';
import { isJob, jobView } from './job.ts';
import { type RelationDoc, linksTable, rowsShown } from './links.ts';
import { type Open, apiLink, methodBadge, pageLink } from './navigation.ts';
import { paginationView } from './pagination.ts';
import { problemView } from './problem.ts';
import { propertiesTable } from './properties.ts';

export interface ResourcePage {
  apiUrl: string;
  exchange: Exchange;
  hints: Record<string, FieldHint>;
  /** The last write made from this page, shown until the next navigation. */
  outcome?: Exchange;
  /** The last request made from this page when it is not the page's own GET (a failed form, a look at a job). */
  last?: Exchange;
  /** The relations the API explains, shown beside the links that use them. */
  docs?: ReadonlyMap<string, RelationDoc>;
}

export interface ResourceActions {
  open: Open;
  reload: () => void;
  written: (exchange: Exchange) => void;
  /** A request made from the page, whatever came of it: shown as the last exchange. */
  exchanged: (exchange: Exchange) => void;
  /** A job followed on this page ended: show the page as its last answer says. */
  jobFinished: (exchange: Exchange) => void;
  dismissOutcome: () => void;
}

/** The templates a person most likely came for come first and start open: creating in a collection, updating an item. */
const OPEN_AT_FIRST = ['default', 'update'];

/** Most likely first, the irreversible last; otherwise as the server listed them. */
function rank(name: string, method: string): number {
  const first = OPEN_AT_FIRST.indexOf(name);
  if (first !== -1) return first - OPEN_AT_FIRST.length;
  return method === 'DELETE' ? 1 : 0;
}

function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), ...children);
}

/** What kind of answer this is, said above the title. */
function kindOf(answer: Answer | undefined): string {
  if (!answer) return 'No answer';
  if (isProblem(answer.contentType, answer.json)) return 'Problem';
  if (!isHal(answer.contentType, answer.json)) return 'Document';
  return collectionOf(answer.json) ? 'Collection' : 'Resource';
}

/** The relation a paged collection embeds its items under. */
function collectionOf(document: HalDocument): string | undefined {
  const embedded = embeddedOf(document)[0];
  return embedded && (linkOf(document, 'first') || linkOf(document, 'next')) ? embedded.rel : undefined;
}

export function pageTitle(page: ResourcePage): string {
  const answer = page.exchange.answer;
  if (!answer) return page.apiUrl;
  if (isProblem(answer.contentType, answer.json)) return answer.json.title ?? `${answer.status} ${answer.statusText}`;
  if (!isHal(answer.contentType, answer.json)) return page.apiUrl;
  return titleOf(answer.json) ?? collectionOf(answer.json) ?? page.apiUrl;
}

function outcomeWords(answer: Answer): string {
  if (answer.status === 201) return 'Created.';
  if (answer.status === 202) return 'Accepted: it runs in the background.';
  if (answer.redirected) return 'Redirected.'; // fetch follows redirects and cannot show their status (a 303, say)
  return answer.status === 204 ? 'Done.' : 'Saved.';
}

/** A line that shows where an answer points (`label: href`) with a button that opens it. */
function pointer(open: Open, [label, href]: [string, string], button: { class: string; text: string }): HTMLElement {
  return h('p', {}, label, h('code', {}, href), ' ', apiLink(href, open, { class: button.class }, button.text));
}

function outcomeView(outcome: Exchange, actions: ResourceActions): HTMLElement | null {
  const answer = outcome.answer;
  if (!answer) return null;
  const location = headerOf(answer, 'location');
  const contentLocation = headerOf(answer, 'content-location');
  return h(
    'section',
    { class: 'notice notice-success outcome', role: 'status', 'aria-label': 'Outcome', tabindex: -1 },
    h(
      'div',
      { class: 'outcome-line' },
      methodBadge(outcome.request.method),
      h('code', {}, outcome.request.url),
      h('span', { 'aria-hidden': 'true' }, '→'),
      statusLine(answer),
      h('span', { class: 'outcome-words' }, outcomeWords(answer)),
      h(
        'button',
        {
          type: 'button',
          class: 'quiet small dismiss',
          'aria-label': 'Dismiss',
          on: { click: actions.dismissOutcome },
        },
        '×',
      ),
    ),
    location
      ? pointer(actions.open, ['Location: ', location], { class: 'button primary small', text: 'Follow Location' })
      : null,
    contentLocation
      ? pointer(actions.open, ['Content-Location: ', contentLocation], { class: 'button small', text: 'Open' })
      : null,
    answer.redirected
      ? pointer(actions.open, ['The server redirected the request; this answer came from ', answer.url], {
          class: 'button primary small',
          text: 'Open it',
        })
      : null,
    h('details', {}, h('summary', {}, 'Request and response'), exchangeView(outcome)),
  );
}

function headerOf(answer: Answer, name: string): string | undefined {
  return answer.headers.find(([header]) => header.toLowerCase() === name)?.[1];
}

/** A resource that announces its own end (Deprecation, Sunset) says so, and where its successor is. */
function deprecationNotice(answer: Answer, open: Open): HTMLElement | null {
  const deprecation = headerOf(answer, 'deprecation');
  if (deprecation === undefined) return null;
  const since = headerDate(deprecation);
  const sunset = headerDate(headerOf(answer, 'sunset') ?? '');
  const links = parseLinkHeader(headerOf(answer, 'link') ?? '');
  const successor = links.find((link) => link.rels.includes('successor-version'));
  const explanation = links.find((link) => link.rels.includes('deprecation'));
  return h(
    'section',
    { class: 'notice notice-warning deprecation', 'aria-label': 'Deprecated' },
    h('strong', {}, 'Deprecated'),
    since ? ` since ${since}` : null,
    sunset ? `, gone after ${sunset}` : null,
    '.',
    successor
      ? [' Its successor: ', apiLink(successor.href, open, { class: 'value-link' }, successor.href), '.']
      : null,
    explanation ? [' ', pageLink(explanation.href, {}, 'Why it changed')] : null,
  );
}

function halBody(page: ResourcePage, answer: Answer, document: HalDocument, actions: ResourceActions): Child[] {
  const properties = propertiesOf(document);
  const links = { ...actions, ...(page.docs ? { docs: page.docs } : {}) };
  const rows = rowsShown(linkRows(document), page.docs);
  const job = isJob(document)
    ? jobView(document, answer, page.apiUrl, {
        open: actions.open,
        exchanged: actions.exchanged,
        finished: actions.jobFinished,
      })
    : null;
  return [
    job,
    properties.length > 0 ? card('Properties', propertiesTable(properties, actions.open)) : null,
    paginationView(document, actions.open),
    // In a collection the items are what a person came for; its links mostly repeat the paging above.
    embeddedView(document, links),
    rows.length > 0 ? card('Links', linksTable(rows, links)) : null,
  ];
}

function primary(page: ResourcePage, answer: Answer, actions: ResourceActions): Child {
  if (isProblem(answer.contentType, answer.json)) return problemView(answer.json, answer.status);
  if (isHal(answer.contentType, answer.json)) return halBody(page, answer, answer.json, actions);
  if (isHtml(answer.contentType)) {
    return card(
      'A page for people',
      h(
        'p',
        {},
        'This URL answers with an HTML page rather than a resource to explore. ',
        h('a', { href: page.apiUrl }, 'Open the page'),
      ),
    );
  }
  if (answer.json !== undefined)
    return card('JSON', h('pre', { class: 'value-json' }, JSON.stringify(answer.json, null, 2)));
  return card(answer.contentType || 'Body', h('pre', { class: 'value-json' }, answer.text));
}

function templates(page: ResourcePage, answer: Answer, actions: ResourceActions): HTMLElement | null {
  if (!isHal(answer.contentType, answer.json)) return null;
  const entries = Object.entries(answer.json._templates ?? {}).sort(
    ([a, first], [b, second]) => rank(a, methodOf(first)) - rank(b, methodOf(second)),
  );
  if (entries.length === 0) return null;
  return h(
    'section',
    { class: 'actions', 'aria-label': 'Actions' },
    h('h2', {}, 'Actions'),
    entries.map(([name, template]) =>
      templateCard({
        name,
        template,
        resourceUrl: page.apiUrl,
        hints: page.hints,
        open: actions.open,
        expanded: OPEN_AT_FIRST.includes(name),
        done: actions.written,
        exchanged: actions.exchanged,
        reload: actions.reload,
      }),
    ),
  );
}

/** The last exchange made from the page; `showExchange` puts a later one in its place. */
function exchangeCard(exchange: Exchange): HTMLElement {
  return card('Request and response', h('div', { 'data-exchange': '' }, exchangeView(exchange)));
}

/** Shows `exchange` as the last one, in place: nothing else on the page (a half-filled form, say) changes. */
export function showExchange(root: HTMLElement, exchange: Exchange): void {
  root.querySelector('[data-exchange]')?.replaceChildren(exchangeView(exchange));
}

export function resourceView(page: ResourcePage, actions: ResourceActions): HTMLElement {
  const { exchange } = page;
  const answer = exchange.answer;
  return h(
    'main',
    { id: 'main', class: 'page' },
    page.outcome ? outcomeView(page.outcome, actions) : null,
    h(
      'div',
      { class: 'resource-head' },
      h(
        'div',
        {},
        h('p', { class: 'eyebrow' }, kindOf(answer)),
        h('h1', { tabindex: -1 }, pageTitle(page)),
        h('p', { class: 'self' }, methodBadge(exchange.request.method), h('code', {}, exchange.request.url)),
      ),
      answer
        ? h(
            'div',
            { class: 'head-status' },
            statusLine(answer),
            h('span', { class: 'muted' }, answer.contentType.split(';')[0]),
          )
        : null,
    ),
    answer ? deprecationNotice(answer, actions.open) : null,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'primary' },
        answer
          ? primary(page, answer, actions)
          : h('p', { class: 'problem', role: 'alert' }, `No answer: ${exchange.failure ?? 'the request failed'}.`),
      ),
      h(
        'aside',
        { class: 'secondary' },
        exchangeCard(page.last ?? exchange),
        answer ? templates(page, answer, actions) : null,
      ),
    ),
  );
}
