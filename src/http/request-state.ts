// What the middleware records about a request for the steps after it, typed in one place: Koa's `ctx.state` is
// untyped, and each reader casting it on its own would let a writer and its readers disagree unseen.
import type { Context } from 'koa';
import type { Caller } from '../domain/access.ts';
import type { Answer } from './answer-cache.ts';
import type { Endpoint } from '../links/registry.ts';
import type { Problem } from './problem.ts';

export interface RequestState {
  /** The id the request is logged by, and sent back as X-Request-Id (request-log.ts). */
  requestId?: string;
  /** Who is calling (authentication.ts); unset before authentication has run. */
  caller?: Caller;
  /** Credentials presented and refused: thrown once the rate limiter has counted the attempt (rate-limit.ts). */
  refusedCredentials?: Problem;
  /** The endpoint that answered: a routed handler, a probe, the explorer standing in for a resource. */
  endpoint?: Endpoint;
  /** The media type negotiated for the answer (negotiation.ts). */
  mediaType?: string;
  /** True once the answer was marked as varying by Accept (negotiation.ts). */
  variesByAccept?: boolean;
  /** The public origin every address in the answer is written on (origin.ts). */
  origin?: string;
  /** Whether the host the request named is one the server answers to; a 421 when not (origin.ts). */
  hostAllowed?: boolean;
  /** The kept answer this request was given, or that its answer was kept as, when it may be given again (answer-cache.ts). */
  keptAnswer?: { key: string; answer: Answer };
}

/** The request's state, as the middleware records it: the one place `ctx.state` is read or written. */
export function requestState(ctx: Context): RequestState {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- Koa types ctx.state as any; this is the one place it gets its type
  return ctx.state as RequestState;
}
