// Errors as typed values: every failure the API reports is a Problem, rendered once as RFC 9457 problem details.
import { endpoints } from '../links/registry.ts';

/** One entry per kind of failure: its status, the slug of its type URI and its stable title. */
export const PROBLEM_TYPES = {
  'invalid-request': {
    status: 400,
    title: 'The request is not valid',
    meaning:
      'The body or query is malformed or breaks the schema; `errors` names every field or parameter at fault. Fix them and send again.',
  },
  unauthorized: {
    status: 401,
    title: 'Authentication is required',
    meaning: 'Send a valid bearer token in the Authorization header.',
  },
  forbidden: { status: 403, title: 'Not allowed', meaning: 'Your token is valid, but its role may not do this.' },
  'not-found': {
    status: 404,
    title: 'Not found',
    meaning: 'Nothing lives at this address, and nothing ever did. Start again from the home document.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    meaning: 'The resource exists but does not support that method; the Allow header lists the ones it does.',
  },
  'misdirected-request': {
    status: 421,
    title: 'Misdirected request',
    meaning:
      'The request named a host (its Host header, or X-Forwarded-Host from a trusted proxy) this server does not answer to; the operator lists the ones it does in ALLOWED_HOSTS. Nothing was done, and nothing was built from that host. Send it to the address the home document was reached at.',
  },
  'not-acceptable': {
    status: 406,
    title: 'No acceptable representation',
    meaning: 'The Accept header allows none of the media types this resource is served as.',
  },
  conflict: {
    status: 409,
    title: 'Conflict with the current state',
    meaning:
      'The request is well formed but a business rule refuses it in the current state (a duplicate FAQ question, a change to a closed ticket).',
  },
  gone: {
    status: 410,
    title: 'Gone',
    meaning:
      'The resource existed but was deleted, for good (a finished import is removed once its retention has passed; the tickets it created stay).',
  },
  'precondition-failed': {
    status: 412,
    title: 'The resource has changed',
    meaning:
      'If-Match named a version that is no longer current: someone changed the resource since you read it. GET it again and retry.',
  },
  'content-too-large': {
    status: 413,
    title: 'The request body is too large',
    meaning:
      'Bodies are limited to 100 kB; a bulk import to 10 MB, and each of its rows to 100 kB (a row past it is refused alone, with this problem among the rejections of the import).',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    meaning:
      'Bodies must be JSON: application/json, application/hal+json or application/merge-patch+json (a bulk import may also be application/x-ndjson).',
  },
  'too-many-requests': {
    status: 429,
    title: 'Too many requests',
    meaning: 'You sent more requests than your limit allows; wait as long as Retry-After says.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal server error',
    meaning: 'A bug on our side. It was logged; the request may be retried.',
  },
  'bad-gateway': {
    status: 502,
    title: 'Another service answered wrongly',
    meaning:
      'The request needed another service of ours (the FAQ service, say), and its answer broke its contract. Nothing was changed here; report it if it persists.',
  },
  'not-implemented': {
    status: 501,
    title: 'Method not implemented',
    meaning: 'The server does not know that HTTP method at all.',
  },
  'service-unavailable': {
    status: 503,
    title: 'Service unavailable',
    meaning:
      'The server cannot answer right now (the request ran past its deadline, or the database is out of reach); retry after the time Retry-After says. A write answered 503 may still have landed: read before repeating it.',
  },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** A field (JSON pointer into the body) or query parameter at fault, as in RFC 9457's `errors` example. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemTypeUri(kind: ProblemKind): string {
  return endpoints.problem.href({ kind });
}

export class Problem extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [extension: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'Problem';
    this.status = PROBLEM_TYPES[kind].status;
    this.headers = extras.headers ?? {};
  }

  /** The document, its type on `origin` (the request's public origin; a bare path without one). */
  toDocument(instance?: string, origin = ''): ProblemDocument {
    const { headers: _headers, ...extensions } = this.extras;
    return {
      type: origin + problemTypeUri(this.kind),
      title: PROBLEM_TYPES[this.kind].title,
      status: this.status,
      detail: this.detail,
      ...(instance === undefined ? {} : { instance }),
      ...extensions,
    };
  }
}

/** The kind for a bare status (from Koa, the router or a library error), falling back by class of status. */
export function kindForStatus(status: number): ProblemKind {
  for (const [kind, entry] of Object.entries(PROBLEM_TYPES)) {
    if (entry.status === status) return kind as ProblemKind;
  }
  return status >= 500 ? 'internal-error' : 'invalid-request';
}

export const invalid = (detail: string, errors?: FieldError[]) =>
  new Problem('invalid-request', detail, errors ? { errors } : {});
export const notFound = (detail = 'Nothing lives at this address.') => new Problem('not-found', detail);
export const gone = (detail: string, extensions: Record<string, unknown> = {}) =>
  new Problem('gone', detail, extensions);
export const conflict = (detail: string) => new Problem('conflict', detail);
export const preconditionFailed = (detail: string) => new Problem('precondition-failed', detail);
