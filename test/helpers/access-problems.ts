// Assertions on RFC 9457 problem answers, shared by the access tests.
import type { ExecutionContext } from 'ava';
import type { ProblemBody } from './problem.ts';

export type { ProblemBody };

/** What makes an answer a problem document: its media type, the four members, and a status equal to the HTTP one. */
export function problemShapeErrors(status: number, contentType: string | null, body: unknown): string[] {
  const faults: string[] = [];
  if (!/^application\/problem\+json\b/.test(contentType ?? '')) faults.push(`Content-Type is ${contentType}`);
  const problem = body as Partial<ProblemBody> | null;
  if (typeof problem !== 'object' || problem === null) return [...faults, 'body is not an object'];
  for (const member of ['type', 'title', 'detail'] as const) {
    if (typeof problem[member] !== 'string' || problem[member] === '')
      faults.push(`${member} is ${JSON.stringify(problem[member])}`);
  }
  if (problem.status !== status) faults.push(`status member ${problem.status} differs from HTTP ${status}`);
  return faults;
}

/** Asserts the answer is a problem document with this status, and returns it. */
export async function assertProblem(t: ExecutionContext, response: Response, status: number): Promise<ProblemBody> {
  const text = await response.text();
  t.is(response.status, status, text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  t.deepEqual(problemShapeErrors(response.status, response.headers.get('content-type'), body), [], text);
  return body as ProblemBody;
}

/** The problem's type slug (`/problems/forbidden` → `forbidden`). */
export function problemKind(problem: ProblemBody): string {
  return problem.type.split('/').pop() ?? '';
}

/** The fields a 400 names, from its `errors` pointers (`#/requester` → `requester`), sorted. */
export function namedFields(problem: ProblemBody): string[] {
  return [...new Set((problem.errors ?? []).map((e) => (e.pointer ?? e.parameter ?? '').replace(/^#\/?/, '')))].sort();
}
