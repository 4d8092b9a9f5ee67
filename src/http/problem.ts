// Errors as typed values: every failure the API reports is a Problem, rendered once as RFC 9457 problem details.

/** One entry per kind of failure: its status, the slug of its type URI and its stable title. */
export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'unauthorized': { status: 401, title: 'Authentication is required' },
  'forbidden': { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'No acceptable representation' },
  'conflict': { status: 409, title: 'Conflict with the current state' },
  'gone': { status: 410, title: 'Gone' },
  'precondition-failed': { status: 412, title: 'The resource has changed' },
  'content-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'not-implemented': { status: 501, title: 'Method not implemented' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
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

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export function problemTypeUri(kind: ProblemKind): string {
  return `/problems/${kind}`;
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

  toDocument(instance?: string): ProblemDocument {
    const { headers: _headers, ...extensions } = this.extras;
    return {
      type: problemTypeUri(this.kind),
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
export const gone = (detail: string) => new Problem('gone', detail);
export const conflict = (detail: string) => new Problem('conflict', detail);
export const preconditionFailed = (detail: string) => new Problem('precondition-failed', detail);
