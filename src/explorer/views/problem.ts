// A problem document (RFC 9457) as a person reads it: what went wrong, why, and which fields are at fault.
import { h } from '../dom.ts';
import type { FieldFault } from '../forms.ts';
import type { ProblemDocument } from '../hal.ts';
import { pageLink } from './navigation.ts';

/** `faults` are the errors in words for people (see fieldFaults); without them each error is shown as sent. */
export function problemView(problem: ProblemDocument, status: number, faults?: FieldFault[]): HTMLElement {
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  const listed = faults
    ? faults.map((fault) => h('li', {}, fault.message))
    : errors.map((error) =>
        h(
          'li',
          {},
          h('code', {}, error.pointer ?? error.parameter ?? '(body)'),
          ' ',
          h('span', {}, error.detail ?? 'is not valid'),
        ),
      );
  return h(
    'section',
    { class: 'problem', role: 'alert', 'aria-label': 'Problem' },
    h('p', { class: 'problem-status' }, `${problem.status ?? status} · ${problem.title ?? 'Problem'}`),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null,
    listed.length > 0 ? h('ul', { class: 'problem-errors', 'aria-label': 'Fields at fault' }, listed) : null,
    problem.type && problem.type !== 'about:blank'
      ? h(
          'p',
          { class: 'problem-type' },
          pageLink(problem.type, {}, 'What this problem means'),
          problem.instance ? ` · at ${problem.instance}` : null,
        )
      : null,
  );
}
