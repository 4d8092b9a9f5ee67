// Checks that an error answer is an RFC 9457 problem document of the expected status, and returns it.
import type { ExecutionContext } from 'ava';

interface FieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Asserts status, media type and the four members every problem has; returns the body for further checks. */
export async function expectProblem(t: ExecutionContext, response: Response, status: number): Promise<ProblemBody> {
  const text = await response.text();
  t.is(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  const body = JSON.parse(text) as ProblemBody;
  t.is(body.status, status);
  t.is(typeof body.type, 'string');
  t.true(body.type.length > 0);
  t.is(typeof body.title, 'string');
  t.true(body.title.length > 0);
  t.is(typeof body.detail, 'string');
  t.true(body.detail.length > 0);
  t.false(/\bat .+:\d+:\d+/.test(text), 'a problem never shows a stack trace');
  return body;
}

/** The JSON pointers (or `?parameter`s) a 400 problem names, each once, sorted. */
export function namedFields(problem: ProblemBody): string[] {
  return [...new Set((problem.errors ?? []).map((e) => e.pointer ?? `?${e.parameter}`))].sort();
}
