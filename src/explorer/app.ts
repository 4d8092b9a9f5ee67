// The explorer's life: open a URL (GET it, read its schema hints, show it, put it in the address bar),
// follow the back and forward buttons, keep the token, and go back to the page after a write.
import { type Places, apiUrlOf, pageUrlFor, typedApiUrl } from './address.ts';
import { replaceChildren } from './dom.ts';
import { isHal } from './hal.ts';
import { type Exchange, send } from './http.ts';
import { relationDocs } from './relation-docs.ts';
import { fieldHints } from './schema-hints.ts';
import { useAccept, useHeaders, useToken } from './session.ts';
import { headerView } from './views/header.ts';
import { type ResourcePage, pageTitle, resourceView, showExchange } from './views/resource.ts';

/** A navigation adds a history entry; a reload, a back or forward step and the first load keep the address. */
type History = 'push' | 'stay';

/** What the header's controls do on the page of `apiUrl`: open another, or show this one again with new settings. */
function headerActions(
  apiUrl: string,
  show: (apiUrl: string, history: History) => Promise<void>,
): Parameters<typeof headerView>[2] {
  return {
    open: (target) => void show(target, 'push'),
    openTyped: (typed) => {
      const target = typedApiUrl(typed);
      if (target) void show(target, 'push');
      else window.alert('Type a path of this API (such as /tickets) or a full URL on this server.');
    },
    setToken: (token) => {
      useToken(token);
      void show(apiUrl, 'stay');
    },
    setAccept: (key) => {
      useAccept(key);
      void show(apiUrl, 'stay');
    },
    setHeaders: (headers) => {
      useHeaders(headers);
      void show(apiUrl, 'stay');
    },
  };
}

/** After a page is drawn: a new page starts at its top, heading focused; a write's outcome is brought into view. */
function bringIntoView(root: HTMLElement, history: History, outcome: Exchange | undefined): void {
  if (history === 'push') {
    window.scrollTo(0, 0);
    root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  } else if (outcome) {
    // The person is down at the form they sent: bring what came of it into view.
    const shownOutcome = root.querySelector<HTMLElement>('.outcome');
    shownOutcome?.scrollIntoView({ block: 'nearest' });
    shownOutcome?.focus({ preventScroll: true });
  }
}

/** A 202 accepted work that runs on: its Location is where to watch it. */
function acceptedWorkLocation(exchange: Exchange): string | undefined {
  if (exchange.answer?.status !== 202) return undefined;
  return exchange.answer.headers.find(([name]) => name.toLowerCase() === 'location')?.[1];
}

/**
 * Puts the shown page in the address bar: a navigation to another page adds a history entry; otherwise the entry
 * is replaced, keeping the address unless a redirect moved the page (`shown` is not what was `asked`).
 */
function recordAddress({ shown, asked, pageUrl }: { shown: string; asked: string; pageUrl: string }, history: History) {
  const here = location.pathname + location.search;
  if (history === 'push' && pageUrl !== here) window.history.pushState({ apiUrl: shown }, '', pageUrl);
  else window.history.replaceState({ apiUrl: shown }, '', shown === asked ? here : pageUrl);
}

export function startExplorer(root: HTMLElement, places: Places): void {
  let page: ResourcePage | undefined;
  let latest = 0;

  const actions = {
    open: (apiUrl: string) => void show(apiUrl, 'push'),
    reload: () => {
      if (page) void show(page.apiUrl, 'stay');
    },
    written: (exchange: Exchange) => {
      const location = acceptedWorkLocation(exchange);
      if (location) void show(location, 'push', exchange);
      else if (page) void show(page.apiUrl, 'stay', exchange);
    },
    exchanged: (exchange: Exchange) => {
      if (!page) return;
      page = { ...page, last: exchange };
      showExchange(root, exchange);
    },
    jobFinished: (exchange: Exchange) => {
      if (!page) return;
      const focused = root.contains(document.activeElement) && document.activeElement !== document.body;
      render({ ...page, exchange, last: undefined });
      // The page was drawn anew: keep a keyboard user where they were, at the job's progress.
      if (focused) root.querySelector<HTMLElement>('.job h2')?.focus({ preventScroll: true });
    },
    dismissOutcome: () => {
      if (page) render({ ...page, outcome: undefined });
    },
  };

  function render(next: ResourcePage): void {
    page = next;
    document.title = `${pageTitle(next)} · Helpdesk API explorer`;
    replaceChildren(
      root,
      headerView(next.apiUrl, places.home, headerActions(next.apiUrl, show)),
      resourceView(next, actions),
    );
  }

  /** GETs `apiUrl` and shows it; answers that arrive after a later navigation began are dropped. */
  async function show(apiUrl: string, history: History, outcome?: Exchange): Promise<void> {
    const ticket = ++latest;
    root.setAttribute('aria-busy', 'true');
    const [exchange, docs] = await Promise.all([send('GET', apiUrl), relationDocs(places.home)]);
    const answer = exchange.answer;
    const hints = answer && isHal(answer.contentType, answer.json) ? await fieldHints(answer.json) : {};
    if (ticket !== latest) return;
    root.removeAttribute('aria-busy');
    // After a redirect (a merged ticket's 301), the page is where the answer came from.
    const shown = answer?.url ?? apiUrl;
    const pageUrl = pageUrlFor(shown, answer !== undefined && isHal(answer.contentType, answer.json), places);
    recordAddress({ shown, asked: apiUrl, pageUrl }, history);
    render({ apiUrl: shown, exchange, hints, docs, ...(outcome ? { outcome } : {}) });
    bringIntoView(root, history, outcome);
  }

  window.addEventListener('popstate', (event) => {
    const state = event.state as { apiUrl?: string } | null;
    void show(state?.apiUrl ?? apiUrlOf(location, places), 'stay');
  });

  void show(apiUrlOf(location, places), 'stay');
}
