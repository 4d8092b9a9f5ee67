// The bar at the top: which API this is, an address field to open any URL of it, the bearer token sent with
// every request, and the request as the person wants it: the media type asked for (Accept) and headers of
// their own (Prefer, If-None-Match…). All of it is kept for this tab's session.
import { type Child, type Props, h, uniqueId } from '../dom.ts';
import { ACCEPT_CHOICES } from '../http.ts';
import { type ExtraHeader, acceptChoice, currentToken, extraHeaders } from '../session.ts';
import { type Open, apiLink } from './navigation.ts';

export interface HeaderActions {
  open: Open;
  openTyped(typed: string): void;
  setToken(token: string): void;
  setAccept(key: string): void;
  setHeaders(headers: ExtraHeader[]): void;
}

/** One row of the headers editor: name, value and a button that removes it. Returns the name's input, to focus. */
function addHeaderRow(rows: HTMLElement, [name, value]: ExtraHeader = ['', '']): HTMLInputElement {
  const n = rows.children.length + 1;
  const nameInput = h('input', {
    type: 'text',
    class: 'header-name',
    value: name,
    placeholder: 'Prefer',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': `Header ${n} name`,
  });
  const valueInput = h('input', {
    type: 'text',
    class: 'header-value',
    value,
    placeholder: 'respond-async',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': `Header ${n} value`,
  });
  const row = h('div', { class: 'header-row' }, nameInput, valueInput);
  row.append(
    h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `Remove header ${n}`, on: { click: () => row.remove() } },
      'Remove',
    ),
  );
  rows.append(row);
  return nameInput;
}

/** The headers as the editor's rows hold them now. */
function readHeaderRows(rows: HTMLElement): ExtraHeader[] {
  return [...rows.querySelectorAll('.header-row')].map((row) => [
    (row.querySelector('.header-name') as HTMLInputElement).value,
    (row.querySelector('.header-value') as HTMLInputElement).value,
  ]);
}

/** The editor of the person's own headers: a row per header, added and removed at will, applied at once. */
function headersEditor(actions: HeaderActions, panelId: string): HTMLElement {
  const rows = h('div', { class: 'header-rows' });
  for (const header of extraHeaders()) addHeaderRow(rows, header);
  if (extraHeaders().length === 0) addHeaderRow(rows);
  return h(
    'form',
    {
      id: panelId,
      class: 'headers-editor',
      'aria-label': 'Request headers',
      hidden: true,
      on: {
        submit: (event) => {
          event.preventDefault();
          actions.setHeaders(readHeaderRows(rows));
        },
      },
    },
    h(
      'p',
      { class: 'headers-help' },
      'Sent with every request you make here, for this session; a header named here replaces the explorer’s own (Accept, say).',
    ),
    rows,
    h(
      'div',
      { class: 'headers-actions' },
      h('button', { type: 'button', on: { click: () => addHeaderRow(rows).focus() } }, 'Add a header'),
      h('button', { type: 'submit', class: 'primary' }, 'Use these headers'),
    ),
  );
}

/** A form of one labelled field and its button, that hands on the field's value when submitted. */
function fieldForm(
  props: Props,
  label: string,
  input: HTMLInputElement,
  button: string,
  submitted: (value: string) => void,
  ...more: Child[]
): HTMLFormElement {
  const submit = (event: Event) => {
    event.preventDefault();
    submitted(input.value);
  };
  return h(
    'form',
    { ...props, on: { submit } },
    h('label', { for: input.id }, label),
    input,
    h('button', { type: 'submit' }, button),
    ...more,
  );
}

/** The bearer token's form: the token in use (or none), with a button to forget it and who the person is. */
function tokenForm(actions: HeaderActions): HTMLFormElement {
  const token = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'none: anonymous',
  });
  token.value = currentToken();
  const signedIn = currentToken() !== '';
  return fieldForm(
    { class: 'token' },
    'Bearer token',
    token,
    'Use token',
    (typed) => actions.setToken(typed),
    signedIn
      ? h('button', { type: 'button', class: 'quiet', on: { click: () => actions.setToken('') } }, 'Forget')
      : null,
    h(
      'span',
      { class: signedIn ? 'identity identity-token' : 'identity', role: 'status' },
      signedIn ? 'Token in use' : 'Anonymous',
    ),
  );
}

/** The media type asked for, and the button that shows or hides the editor of the person's own headers. */
function requestOptions(actions: HeaderActions, editor: HTMLElement, panelId: string): HTMLElement {
  const acceptId = uniqueId('accept');
  const accept = h(
    'select',
    { id: acceptId, on: { change: (event) => actions.setAccept((event.target as HTMLSelectElement).value) } },
    ACCEPT_CHOICES.map((choice) =>
      h('option', { value: choice.key, selected: choice.key === acceptChoice() }, choice.label),
    ),
  );
  const count = extraHeaders().length;
  const toggle = h(
    'button',
    { type: 'button', 'aria-expanded': 'false', 'aria-controls': panelId },
    count > 0 ? `Headers (${count})` : 'Headers',
  );
  toggle.addEventListener('click', () => {
    const open = editor.hidden;
    editor.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) editor.querySelector<HTMLInputElement>('input')?.focus();
  });
  return h('div', { class: 'request-options' }, h('label', { for: acceptId }, 'Accept'), accept, toggle);
}

/** `home` is the home document's path (under the server's mount), where the brand leads. */
export function headerView(apiUrl: string, home: string, actions: HeaderActions): HTMLElement {
  const address = h('input', {
    id: 'address',
    name: 'url',
    type: 'text',
    value: apiUrl,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const panelId = uniqueId('headers');
  const editor = headersEditor(actions, panelId);
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-line' },
      // Its name starts with the words it shows (the mark is drawn, not written), so a voice user can say it.
      apiLink(
        home,
        actions.open,
        { class: 'brand', 'aria-label': 'Helpdesk API explorer: home document' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
        h('span', {}, 'Helpdesk'),
        ' ',
        h('span', { class: 'brand-sub' }, 'API explorer'),
      ),
      fieldForm({ class: 'address', role: 'search' }, 'URL', address, 'Open', (typed) => actions.openTyped(typed)),
      tokenForm(actions),
      requestOptions(actions, editor, panelId),
    ),
    editor,
  );
}
