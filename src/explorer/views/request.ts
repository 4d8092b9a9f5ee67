// Any method on any link: OPTIONS asks the server which methods the target allows (its Allow header), and
// each opens a request the person can edit (the URL, and a body where the method takes one) and send. What
// came of it is shown like a form's: success goes back to the page, a problem is shown where it was sent.
import { HAL_JSON, JSON_TYPE, MERGE_PATCH_JSON, NDJSON } from '../../http/media-types.ts';
import { h, uniqueId } from '../dom.ts';
import { isProblem } from '../hal.ts';
import { type Exchange, send } from '../http.ts';
import { lastETag } from '../session.ts';
import { methodBadge } from './navigation.ts';
import { problemView } from './problem.ts';

export interface RequestActions {
  /** A request that succeeded (2xx): the page shows what came of it. */
  written: (exchange: Exchange) => void;
  /** Every request sent, with its answer, whatever it was: shown as the last exchange. */
  exchanged: (exchange: Exchange) => void;
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const GUARDED = new Set(['PUT', 'PATCH', 'DELETE']);
/** What GET's own link (Open) and OPTIONS itself already do are not offered again. */
const OFFERED_ELSEWHERE = new Set(['GET', 'OPTIONS']);
const BODY_TYPES = [JSON_TYPE, MERGE_PATCH_JSON, HAL_JSON, NDJSON];

/** The methods an Allow header names, in the server's order. */
function allowedMethods(allow: string): string[] {
  return [
    ...new Set(
      allow
        .split(',')
        .map((method) => method.trim().toUpperCase())
        .filter((method) => /^[A-Z]+$/.test(method)),
    ),
  ];
}

/** What came of a sent request: success goes back to the page; a failure or a problem is shown in `result`. */
function showOutcome(exchange: Exchange, result: HTMLElement, actions: RequestActions): void {
  actions.exchanged(exchange);
  const answer = exchange.answer;
  if (answer && answer.status >= 200 && answer.status < 300) {
    result.replaceChildren();
    actions.written(exchange);
  } else if (!answer) {
    result.replaceChildren(
      h('p', { class: 'problem', role: 'alert' }, `The request failed: ${exchange.failure ?? 'no answer'}.`),
    );
  } else {
    const problem = isProblem(answer.contentType, answer.json)
      ? answer.json
      : { title: answer.statusText, detail: answer.text.slice(0, 500) };
    result.replaceChildren(problemView(problem, answer.status));
  }
}

/** A request with `method` to `href`, to edit and send. */
function requestForm(method: string, href: string, actions: RequestActions): HTMLFormElement {
  const urlId = uniqueId('request-url');
  const url = h('input', { id: urlId, type: 'text', value: href, spellcheck: 'false', autocomplete: 'off' });
  const bodyId = uniqueId('request-body');
  const typeId = uniqueId('request-type');
  const body = WITH_BODY.has(method)
    ? h('textarea', { id: bodyId, rows: 6, spellcheck: 'false', placeholder: '{ }' })
    : undefined;
  const type = body
    ? h(
        'select',
        { id: typeId },
        BODY_TYPES.map((each) =>
          h('option', { value: each, selected: each === (method === 'PATCH' ? MERGE_PATCH_JSON : JSON_TYPE) }, each),
        ),
      )
    : undefined;
  const ifMatch = GUARDED.has(method) ? lastETag(href) : undefined;
  const result = h('div', { class: 'form-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: method === 'DELETE' ? 'danger' : 'primary' }, `Send ${method}`);
  return h(
    'form',
    {
      class: 'request-form',
      'aria-label': `${method} request`,
      on: {
        submit: async (event) => {
          event.preventDefault();
          submit.disabled = true;
          result.replaceChildren(h('p', { class: 'muted' }, `Sending ${method}…`));
          const exchange = await send(method, url.value.trim(), {
            ...(body && type ? { text: body.value, contentType: type.value } : {}),
            ...(ifMatch === undefined ? {} : { ifMatch }),
          });
          submit.disabled = false;
          showOutcome(exchange, result, actions);
        },
      },
    },
    h(
      'div',
      { class: 'request-target' },
      methodBadge(method),
      h('label', { for: urlId, class: 'visually-hidden' }, 'URL'),
      url,
    ),
    body && type
      ? h(
          'div',
          { class: 'request-body' },
          h('div', { class: 'field' }, h('label', { for: bodyId }, 'Body'), body),
          h('div', { class: 'field' }, h('label', { for: typeId }, 'Content-Type'), type),
        )
      : null,
    h('div', { class: 'form-actions' }, submit, ifMatch ? h('p', { class: 'sends' }, `If-Match: ${ifMatch}`) : null),
    result,
  );
}

/**
 * What a link's target allows, asked with OPTIONS when the person wants it (not for every link on every
 * page): a button per method, each opening its request below them.
 */
export function methodsPanel(href: string, actions: RequestActions): HTMLElement {
  const panel = h(
    'div',
    { class: 'methods', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, `Asking OPTIONS ${href}…`),
  );
  void send('OPTIONS', href).then((exchange) => {
    actions.exchanged(exchange);
    const allow = exchange.answer?.headers.find(([name]) => name.toLowerCase() === 'allow')?.[1];
    if (!exchange.answer || allow === undefined) {
      panel.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          `OPTIONS ${href} named no methods (${exchange.answer ? `${exchange.answer.status} ${exchange.answer.statusText}` : (exchange.failure ?? 'no answer')}).`,
        ),
      );
      return;
    }
    const methods = allowedMethods(allow).filter((method) => !OFFERED_ELSEWHERE.has(method));
    const slot = h('div', { class: 'method-request' });
    const buttons = methods.map((method) => {
      const button = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, method);
      button.addEventListener('click', () => {
        for (const other of buttons) other.setAttribute('aria-pressed', String(other === button));
        const form = requestForm(method, href, actions);
        slot.replaceChildren(form);
        form.querySelector<HTMLElement>('textarea, input')?.focus();
      });
      return button;
    });
    panel.replaceChildren(
      h(
        'p',
        { class: 'allowed' },
        h('span', { class: 'muted' }, `Allow: ${allow}`),
        methods.length === 0 ? h('span', {}, ' Nothing to send but GET.') : buttons,
      ),
      slot,
    );
  });
  return panel;
}
