// A problem document (RFC 9457) as a person reads it: what went wrong, why, and which fields are at fault.
import { h } from '../dom.ts';
import type { ProblemDocument } from '../hal.ts';
import { pageLink } from './navigation.ts';

export function problemView(problem: ProblemDocument, status: number): HTMLElement {
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  return h(
    'section',
    { class: 'problem', role: 'alert', 'aria-label': 'Problem' },
    h('p', { class: 'problem-status' }, `${problem.status ?? status} · ${problem.title ?? 'Problem'}`),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null,
    errors.length > 0
      ? h(
          'ul',
          { class: 'problem-errors', 'aria-label': 'Fields at fault' },
          errors.map((error) =>
            h('li', {}, h('code', {}, error.pointer ?? error.parameter ?? '(body)'), ' ', h('span', {}, error.detail ?? 'is not valid')),
          ),
        )
      : null,
    problem.type && problem.type !== 'about:blank'
      ? h('p', { class: 'problem-type' }, pageLink(problem.type, {}, 'What this problem means'), problem.instance ? ` · at ${problem.instance}` : null)
      : null,
  );
}
