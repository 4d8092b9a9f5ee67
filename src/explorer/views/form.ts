// A HAL-FORMS template as a real form: inputs by property type, selects for choices, the browser's own
// checks for required, pattern and lengths. It submits with the template's method and content type to its
// target (with If-Match from the ETag last seen there, when it changes that resource), and says what came of
// it: success goes back to the page, a 412 offers a reload, any other problem is shown by the fields at fault.
import { JSON_TYPE, NDJSON } from '../../http/media-types.ts';
import { h, uniqueId } from '../dom.ts';
import {
  type Entered,
  type FieldHint,
  type FormProperty,
  type FormTemplate,
  type InlineOption,
  allowsMany,
  bodyField,
  bodyTypeOf,
  fieldFaults,
  initialValue,
  inlineOptions,
  methodOf,
  requestBody,
  sizeOf,
} from '../forms.ts';
import { embeddedOf, isHal, isProblem } from '../hal.ts';
import { type Exchange, pathOf, send } from '../http.ts';
import { lastETag } from '../session.ts';
import { expand, variablesOf } from '../uri-template.ts';
import { methodBadge, type Open } from './navigation.ts';
import { problemView } from './problem.ts';

export interface FormSetting {
  name: string;
  template: FormTemplate;
  /** The resource the form belongs to: its target when the template names none. */
  resourceUrl: string;
  hints: Record<string, FieldHint>;
  open: Open;
  /** Opened at first (the others start collapsed). */
  expanded: boolean;
  /** A write that succeeded (2xx). */
  done(exchange: Exchange): void;
  /** Any request the form sent, with its answer: the page shows the last exchange, a failed one included. */
  exchanged(exchange: Exchange): void;
  reload(): void;
}

interface Field {
  property: FormProperty;
  element: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  message: HTMLElement;
  read: () => Entered;
  /** For the field that is the whole body: its text (pasted, or the chosen file's) and the type to send it as. */
  body?: () => Promise<{ text: string; contentType: string }>;
}

const GUARDED = new Set(['PUT', 'PATCH', 'DELETE']);
const INPUT_TYPES = new Set([
  'text',
  'email',
  'number',
  'url',
  'tel',
  'date',
  'datetime-local',
  'time',
  'month',
  'week',
  'color',
  'range',
  'search',
  'password',
]);

/** The choices a property's `options.link` points at: the embedded items of that collection. */
async function linkedChoices(property: FormProperty, q = ''): Promise<InlineOption[]> {
  const options = property.options;
  const link = options?.link;
  if (!options || !link) return [];
  const href = link.templated ? expand(link.href, { q }) : link.href;
  const { answer } = await send('GET', href, { internal: true });
  if (!answer || !isHal(answer.contentType, answer.json)) return [];
  const valueField = options.valueField ?? 'value';
  const promptField = options.promptField ?? 'prompt';
  return embeddedOf(answer.json)
    .flatMap((group) => group.items)
    .filter((item) => item[valueField] !== undefined)
    .map((item) => ({ value: String(item[valueField]), prompt: String(item[promptField] ?? item[valueField]) }));
}

function fillSelect(
  select: HTMLSelectElement,
  choices: InlineOption[],
  selected: string[],
  placeholder: string | undefined,
): void {
  const known = new Set(choices.map((choice) => choice.value));
  // A selected value the choices do not list (a URI where choices are ids, say) stays visible and selected.
  const all = [
    ...choices,
    ...selected.filter((value) => value !== '' && !known.has(value)).map((value) => ({ value, prompt: value })),
  ];
  select.replaceChildren(
    ...(placeholder === undefined ? [] : [h('option', { value: '' }, placeholder)]),
    ...all.map((choice) =>
      h('option', { value: choice.value, selected: selected.includes(choice.value) }, choice.prompt ?? choice.value),
    ),
  );
}

function describe(property: FormProperty, hint: FieldHint): string {
  const notes: string[] = [];
  if (property.minLength !== undefined && property.maxLength !== undefined)
    notes.push(`${property.minLength}–${property.maxLength} characters`);
  else if (property.maxLength !== undefined) notes.push(`up to ${property.maxLength} characters`);
  else if (property.minLength !== undefined) notes.push(`at least ${property.minLength} characters`);
  if (property.min !== undefined) notes.push(`at least ${property.min}`);
  if (property.max !== undefined) notes.push(`at most ${property.max}`);
  if (property.options && allowsMany(property)) notes.push('choose any number');
  else if (hint.array) notes.push('separate several with commas');
  if (property.readOnly) notes.push('read-only');
  return notes.join(' · ');
}

/** Whether a field's choices come from a collection that can be searched (its template takes q). */
function searchable(property: FormProperty): boolean {
  const link = property.options?.link;
  return link?.templated === true && variablesOf(link.href).includes('q');
}

/** A select for a field's choices, inline or fetched from the collection its link names. */
function choiceSelect(property: FormProperty, id: string, described: string) {
  const many = allowsMany(property);
  const initial = initialValue(property);
  const selected = Array.isArray(initial) ? initial : [initial];
  const placeholder = many ? undefined : property.required ? 'Choose…' : '—';
  const control = h('select', {
    id,
    name: property.name,
    multiple: many,
    required: property.required,
    disabled: property.readOnly,
    'aria-describedby': described,
  });
  if (many) control.size = 5;
  fillSelect(control, property.options?.inline ? inlineOptions(property.options) : [], selected, placeholder);
  if (property.options?.link) {
    control.setAttribute('aria-busy', 'true');
    void linkedChoices(property)
      .catch(() => [])
      .then((choices) => {
        fillSelect(control, choices, selected, placeholder);
        control.removeAttribute('aria-busy');
      });
  }
  return { control, many, placeholder };
}

/**
 * A collection longer than a page: words typed in a search box beside the select list its matches, and what is
 * chosen stays chosen.
 */
function choiceSearch(property: FormProperty, control: HTMLSelectElement, placeholder: string | undefined) {
  const searchId = uniqueId('search');
  const search = h('input', {
    id: searchId,
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'Words to search for',
  });
  let timer: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const chosen = [...control.selectedOptions]
        .filter((option) => option.value !== '')
        .map((option) => ({ value: option.value, prompt: option.textContent ?? option.value }));
      void linkedChoices(property, search.value.trim())
        .catch(() => [])
        .then((found) => {
          const known = new Set(chosen.map((choice) => choice.value));
          fillSelect(
            control,
            [...chosen, ...found.filter((choice) => !known.has(choice.value))],
            chosen.map((choice) => choice.value),
            placeholder,
          );
        });
    }, 250);
  });
  return h(
    'div',
    { class: 'choice-search' },
    h('label', { for: searchId }, `Search for ${property.prompt ?? property.name}`),
    search,
  );
}

function choiceControl(
  property: FormProperty,
  id: string,
  described: string,
): { control: HTMLSelectElement; read: () => Entered; extra?: HTMLElement } {
  const { control, many, placeholder } = choiceSelect(property, id, described);
  const read = (): Entered => (many ? [...control.selectedOptions].map((option) => option.value) : control.value);
  if (!searchable(property) || property.readOnly) return { control, read };
  return { control, read, extra: choiceSearch(property, control, placeholder) };
}

function textControl(
  property: FormProperty,
  id: string,
  described: string,
): { control: HTMLInputElement | HTMLTextAreaElement; extra?: HTMLElement } {
  const common = {
    id,
    name: property.name,
    required: property.required,
    readonly: property.readOnly,
    minlength: property.minLength,
    maxlength: property.maxLength,
    placeholder: property.placeholder,
    'aria-describedby': described,
  };
  const value = initialValue(property) as string;
  if (property.type === 'textarea' && !property.options?.link) {
    const control = h('textarea', { ...common, rows: 4 });
    control.value = value;
    return { control };
  }
  const type = property.type && INPUT_TYPES.has(property.type) ? property.type : 'text';
  const control = h('input', {
    ...common,
    type,
    pattern: property.regex,
    min: property.min,
    max: property.max,
    step: property.step,
    autocomplete: 'off',
  });
  control.value = value;
  if (!property.options?.link) return { control };
  // One value from a collection: suggestions from it, but any id or URI may be typed. Where the collection can
  // be searched (its template takes q), what is typed searches it: the suggestions are its matches.
  const listId = uniqueId('choices');
  const list = h('datalist', { id: listId });
  control.setAttribute('list', listId);
  const suggest = (q: string) =>
    void linkedChoices(property, q)
      .catch(() => [])
      .then((choices) =>
        list.replaceChildren(...choices.map((choice) => h('option', { value: choice.value, label: choice.prompt }))),
      );
  suggest('');
  if (searchable(property)) {
    let timer: number | undefined;
    control.addEventListener('input', () => {
      window.clearTimeout(timer);
      const typed = control.value.trim();
      // An id or a URI is a choice already made; words are a search.
      if (/^\d*$/.test(typed) || typed.startsWith('/') || /^https?:/.test(typed)) return;
      timer = window.setTimeout(() => suggest(typed), 250);
    });
    control.placeholder = control.placeholder || 'Type words to search, or an id';
  }
  return { control, extra: list };
}

/**
 * The field that is the whole body (an import): a text area to paste into, or a file to send instead, each
 * sent as the type its name or content says (JSON array or NDJSON), which the field shows before it is sent.
 */
function bodyControl(property: FormProperty, id: string, described: string) {
  const types = property['x-body'] ?? [JSON_TYPE];
  const control = h('textarea', {
    id,
    name: property.name,
    rows: 8,
    required: property.required,
    placeholder: property.placeholder,
    spellcheck: 'false',
    'aria-describedby': described,
  });
  const fileId = uniqueId('file');
  const picker = h('input', {
    id: fileId,
    type: 'file',
    accept: ['.json', '.ndjson', '.jsonl', JSON_TYPE, NDJSON].join(','),
  });
  const chosen = h('p', { class: 'body-type', 'aria-live': 'polite' });
  let file: File | undefined;
  const typeOfText = () => bodyTypeOf(control.value, types);
  const say = () => {
    if (file) {
      const byName = /\.(json|ndjson|jsonl)$/i.test(file.name)
        ? bodyTypeOf('', types, file.name)
        : 'the type its content shows';
      chosen.textContent = `Sends ${file.name} (${sizeOf(file.size)}) as ${byName}.`;
    } else
      chosen.textContent =
        control.value.trim() === ''
          ? `Paste a JSON array or NDJSON, or choose a file.`
          : `Sends the text above as ${typeOfText()}.`;
  };
  control.addEventListener('input', say);
  picker.addEventListener('change', () => {
    file = picker.files?.[0];
    control.disabled = file !== undefined; // the file is the body; pasted text waits until the file is removed
    say();
  });
  say();
  const extra = h(
    'div',
    { class: 'body-file' },
    h('label', { for: fileId }, 'Or send a file (.json or .ndjson)'),
    picker,
    chosen,
  );
  const body = async () => {
    if (!file) return { text: control.value, contentType: typeOfText() };
    const text = await file.text();
    return { text, contentType: bodyTypeOf(text, types, file.name) };
  };
  return { control, extra, body };
}

function field(property: FormProperty, hint: FieldHint): Field {
  const id = uniqueId(`field-${property.name}`);
  const noteId = `${id}-note`;
  const messageId = `${id}-message`;
  const described = `${noteId} ${messageId}`;
  const note = describe(property, hint);
  const choice = property.options && (property.options.inline || allowsMany(property));
  let control: Field['control'];
  let read: () => Entered;
  let extra: HTMLElement | undefined;
  let body: Field['body'];
  if (property['x-body']) {
    ({ control, extra, body } = bodyControl(property, id, described));
    read = () => control.value;
  } else if (choice) {
    ({ control, read, extra } = choiceControl(property, id, described));
  } else {
    ({ control, extra } = textControl(property, id, described));
    read = () => control.value;
  }
  const message = h('p', { class: 'field-message', id: messageId, 'aria-live': 'polite' });
  const element = h(
    'div',
    { class: 'field' },
    h(
      'label',
      { for: id },
      property.prompt ?? property.name,
      property.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null,
    ),
    control,
    extra,
    h('p', { class: 'field-note', id: noteId }, note),
    message,
  );
  return { property, element, control, message, read, ...(body ? { body } : {}) };
}

function getUrl(target: string, body: Record<string, unknown>): string {
  const url = new URL(target, location.origin);
  for (const [name, value] of Object.entries(body))
    for (const each of ([] as unknown[]).concat(value)) url.searchParams.append(name, String(each));
  return pathOf(url);
}

/** A form as it sends: where and how, and the parts of the card that say what came of it. */
interface Sending {
  setting: FormSetting;
  method: string;
  target: string;
  /** None for methods without a body. */
  contentType: string | undefined;
  ifMatch: string | undefined;
  fields: Field[];
  result: HTMLElement;
  submit: HTMLButtonElement;
}

function sendingOf(setting: FormSetting): Sending {
  const { template } = setting;
  const method = methodOf(template);
  const target = template.target ?? setting.resourceUrl;
  return {
    setting,
    method,
    target,
    contentType: method === 'DELETE' || method === 'GET' ? undefined : (template.contentType ?? JSON_TYPE),
    // If-Match guards a change of the target itself (PUT, PATCH, DELETE); a POST adds to or acts on its
    // target, whose own ETag says nothing about what the POST may overwrite.
    ifMatch: GUARDED.has(method) ? lastETag(pathOf(target)) : undefined,
    fields: (template.properties ?? []).map((property) => field(property, setting.hints[property.name] ?? {})),
    result: h('div', { class: 'form-result', 'aria-live': 'polite' }),
    submit: h(
      'button',
      { type: 'submit', class: method === 'DELETE' ? 'danger' : 'primary' },
      template.title ?? `Send ${method}`,
    ),
  };
}

/** Forgets what the last submission said, on the form and on each field. */
function clearMessages({ result, fields }: Sending): void {
  result.replaceChildren();
  for (const each of fields) {
    each.message.textContent = '';
    each.control.removeAttribute('aria-invalid');
  }
}

/** A 412: nothing was saved, and the way on is to reload. */
function staleNotice(reload: () => void): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-warning', role: 'alert' },
    h(
      'p',
      {},
      h('strong', {}, 'This resource changed since you loaded it, '),
      'so nothing was saved (412 Precondition Failed). Reload it to see the current version, then make your change again.',
    ),
    h('button', { type: 'button', on: { click: reload } }, 'Reload the resource'),
  );
}

/** A refused or failed submission: no answer, a stale version, or a problem shown by the fields at fault. */
function showFailure({ setting, fields, result }: Sending, exchange: Exchange): void {
  const answer = exchange.answer;
  if (!answer) {
    result.replaceChildren(
      h('p', { class: 'problem', role: 'alert' }, `The request failed: ${exchange.failure ?? 'no answer'}.`),
    );
    return;
  }
  if (answer.status === 412) {
    result.replaceChildren(staleNotice(() => setting.reload()));
    return;
  }
  const problem = isProblem(answer.contentType, answer.json)
    ? answer.json
    : { title: answer.statusText, detail: answer.text.slice(0, 500) };
  const faults = fieldFaults(Array.isArray(problem.errors) ? problem.errors : [], setting.template.properties);
  result.replaceChildren(problemView(problem, answer.status, faults));
  for (const each of fields) {
    const own = faults.filter((fault) => fault.property === each.property);
    if (own.length === 0) continue;
    each.control.setAttribute('aria-invalid', 'true');
    each.message.textContent = own.map((fault) => fault.message).join(' · ');
  }
}

/** Sends what was entered (a GET opens its URL instead), then hands a success on or shows the failure. */
async function submitForm(sending: Sending): Promise<void> {
  const { setting, method, target, contentType, ifMatch, fields, result, submit } = sending;
  clearMessages(sending);
  const entered = Object.fromEntries(fields.map((each) => [each.property.name, each.read()]));
  const body = requestBody(setting.template, entered, setting.hints);
  if (method === 'GET') return setting.open(getUrl(target, body));
  submit.disabled = true;
  result.replaceChildren(h('p', { class: 'muted' }, `Sending ${method}…`));
  const whole = fields.find((each) => each.body)?.body;
  const payload = whole ? await whole() : contentType === undefined ? {} : { body, contentType };
  const exchange = await send(method, target, { ...payload, ...(ifMatch === undefined ? {} : { ifMatch }) });
  submit.disabled = false;
  setting.exchanged(exchange);
  const status = exchange.answer?.status ?? 0;
  if (status >= 200 && status < 300) {
    result.replaceChildren();
    setting.done(exchange);
  } else {
    showFailure(sending, exchange);
  }
}

/** The submit button, and what the form sends beside its fields: its content type and If-Match. */
function formActions({ setting, contentType, ifMatch, submit }: Sending): HTMLElement {
  return h(
    'div',
    { class: 'form-actions' },
    submit,
    h(
      'p',
      { class: 'sends' },
      contentType && !bodyField(setting.template) ? h('span', {}, contentType) : null,
      ifMatch ? h('span', {}, `If-Match: ${ifMatch}`) : null,
    ),
  );
}

export function templateCard(setting: FormSetting): HTMLElement {
  const { template, name } = setting;
  const sending = sendingOf(setting);
  const form = h(
    'form',
    {
      class: 'hal-form',
      'aria-label': template.title ?? name,
      on: {
        submit: async (event) => {
          event.preventDefault();
          await submitForm(sending);
        },
      },
    },
    sending.fields.map((each) => each.element),
    formActions(sending),
    sending.result,
  );
  return h(
    'details',
    { class: 'card template', open: setting.expanded, 'data-template': name },
    h(
      'summary',
      {},
      h(
        'span',
        { class: 'template-heading' },
        h('span', { class: 'template-title' }, template.title ?? name),
        h('code', { class: 'template-target' }, sending.target),
      ),
      methodBadge(sending.method),
    ),
    form,
  );
}
