// A job that runs in the background (an import), followed live: a progress bar with processed/total, the rate
// and the time left, refreshed as often as the server's Retry-After says until the job is done or failed, or
// the person leaves the page. Then the links to what it made and what it refused.
import { h, replaceChildren, uniqueId } from '../dom.ts';
import { type HalDocument, isHal, isObject, linkOf } from '../hal.ts';
import { type Answer, type Exchange, send } from '../http.ts';
import { type Open, apiLink } from './navigation.ts';

export interface JobActions {
  open: Open;
  /** Each look at the job: the page shows it as the last exchange. */
  exchanged: (exchange: Exchange) => void;
  /** The job ended: the page shows its final state. */
  finished: (exchange: Exchange) => void;
}

interface Progress {
  total: number;
  processed: number;
  created?: number;
  rejected?: number;
  percent?: number;
  rowsPerSecond?: number | null;
  secondsLeft?: number | null;
}

const UNFINISHED = new Set(['queued', 'running']);
/** When the server names no wait, look again after this long. */
const DEFAULT_WAIT_SECONDS = 1;
/** After a failed look that named no wait. */
const TRANSIENT_WAIT_SECONDS = 5;

function progressOf(document: HalDocument): Progress | undefined {
  const progress = document.progress;
  if (!isObject(progress) || typeof progress.total !== 'number' || typeof progress.processed !== 'number')
    return undefined;
  return progress as unknown as Progress;
}

/** A resource is a job when it has a state and a progress of processed out of total. */
export function isJob(document: HalDocument): boolean {
  return typeof document.state === 'string' && progressOf(document) !== undefined;
}

const number = (value: number) => value.toLocaleString('en');

function duration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Seconds the server asks a poller to wait (Retry-After as seconds or as a date). */
function waitOf(answer: Answer): number | undefined {
  const value = answer.headers.find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  if (value === undefined) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0.25, seconds) : undefined;
}

function facts(document: HalDocument, progress: Progress): HTMLElement {
  const state = String(document.state);
  const percent = progress.percent ?? (progress.total === 0 ? 100 : (progress.processed / progress.total) * 100);
  const items: (string | false)[] = [
    `${number(progress.processed)} of ${number(progress.total)} rows`,
    `${percent.toFixed(percent % 1 === 0 ? 0 : 1)}%`,
    typeof progress.rowsPerSecond === 'number' && `${number(Math.round(progress.rowsPerSecond))} rows/s`,
    UNFINISHED.has(state) && typeof progress.secondsLeft === 'number' && `about ${duration(progress.secondsLeft)} left`,
  ];
  return h(
    'ul',
    { class: 'job-facts' },
    items.filter((item): item is string => item !== false).map((item) => h('li', {}, item)),
  );
}

function outcomeOf(document: HalDocument, progress: Progress, open: Open): HTMLElement | null {
  const state = String(document.state);
  if (UNFINISHED.has(state)) return null;
  const tickets = linkOf(document, 'tickets');
  const rejections = linkOf(document, 'rejections');
  const created = progress.created ?? 0;
  const rejected = progress.rejected ?? 0;
  return h(
    'div',
    { class: 'job-outcome' },
    h(
      'p',
      {},
      state === 'failed' ? `Failed: ${String(document.failure ?? 'the job broke')}. ` : 'Done. ',
      `${number(created)} created, ${number(rejected)} rejected.`,
    ),
    h(
      'p',
      { class: 'job-links' },
      tickets && !tickets.templated
        ? apiLink(tickets.href, open, { class: 'button small' }, `Created tickets (${number(created)})`)
        : null,
      rejections && !rejections.templated
        ? apiLink(rejections.href, open, { class: 'button small' }, `Rejected rows (${number(rejected)})`)
        : null,
    ),
  );
}

/** The card for a job, which keeps itself current while the job runs and the card is on the page. */
export function jobView(document: HalDocument, answer: Answer, url: string, actions: JobActions): HTMLElement {
  const headingId = uniqueId('job');
  const bar = h('progress', { max: 100, 'aria-labelledby': headingId });
  const state = h('span', { class: 'badge' });
  const details = h('div', { class: 'job-details' });
  const card = h(
    'section',
    { class: 'card job', 'aria-labelledby': headingId },
    h('h2', { id: headingId, tabindex: -1 }, 'Progress ', state),
    bar,
    details,
  );

  const update = (current: HalDocument): boolean => {
    const progress = progressOf(current);
    if (progress === undefined) return false; // no job any more: nothing to follow
    const stateName = String(current.state);
    const percent = progress.percent ?? (progress.total === 0 ? 100 : (progress.processed / progress.total) * 100);
    bar.value = percent;
    bar.textContent = `${Math.floor(percent)}%`;
    state.className = `badge badge-${stateName.replace(/[^a-z]/g, '')}`;
    state.textContent = stateName;
    replaceChildren(details, facts(current, progress), outcomeOf(current, progress, actions.open));
    return UNFINISHED.has(stateName);
  };

  const look = (wait: number) => {
    window.setTimeout(async () => {
      if (!card.isConnected) return; // the page was left: stop
      const exchange = await send('GET', url);
      if (!card.isConnected) return;
      actions.exchanged(exchange);
      const next = exchange.answer;
      // The server busy or out of reach for a moment: look again as it says (or a little later).
      if (!next || next.status === 429 || next.status === 503)
        return look((next && waitOf(next)) ?? TRANSIENT_WAIT_SECONDS);
      if (!isHal(next.contentType, next.json) || !isJob(next.json)) return; // gone (410), or no job any more: nothing to follow
      if (update(next.json)) look(waitOf(next) ?? DEFAULT_WAIT_SECONDS);
      else actions.finished(exchange);
    }, wait * 1000);
  };

  if (update(document)) look(waitOf(answer) ?? DEFAULT_WAIT_SECONDS);
  return card;
}
