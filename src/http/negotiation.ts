// Content negotiation, decided in one place for every answer: which of an endpoint's media types the client gets
// (406 when its Accept allows none), and whether a browser prefers HTML to all of them (the explorer then stands
// in for the resource). Each decision reads Accept, so each marks the answer as varying by it.
import type { Context } from 'koa';
import type { Endpoint } from '../links/registry.ts';
import { prefers } from './accept.ts';
import { HAL_FORMS, HAL_JSON, HTML, JSON_TYPE } from './media-types.ts';
import { Problem } from './problem.ts';
import { requestState } from './request-state.ts';

/** Marks the answer as varying by Accept, once (Vary is parsed and written again on every call). */
function varyByAccept(ctx: Context): void {
  const state = requestState(ctx);
  if (state.variesByAccept) return;
  ctx.vary('Accept');
  state.variesByAccept = true;
}

/**
 * The endpoint's media type the client's Accept allows, the client's preference first and the endpoint's order
 * on a tie (so `*\/*` gets the first), recorded for the handler (mediaTypeOf); a 406 problem when none is.
 */
export function negotiate(ctx: Context, endpoint: Endpoint): string {
  varyByAccept(ctx);
  const chosen = ctx.accepts(...endpoint.representations);
  if (chosen === false) {
    throw new Problem(
      'not-acceptable',
      `${ctx.path} answers with ${endpoint.representations.join(' or ')}; the Accept header allows none of them.`,
    );
  }
  requestState(ctx).mediaType = chosen;
  return chosen;
}

const JSON_TYPES = [HAL_JSON, HAL_FORMS, JSON_TYPE];

/**
 * Whether an Accept header could prefer HTML to JSON at all: only by naming html, text/*, or by giving the
 * JSON types a lower q than a wildcard. Most API clients send none of these, and are let through unparsed.
 */
function mightPreferHtml(accept: string): boolean {
  return accept !== '*/*' && /html|text\/|\*\/\*/i.test(accept);
}

/**
 * True when the client prefers text/html strictly to every JSON type, as a browser opening an address does.
 * Koa's `ctx.accepts` cannot tell: it picks the first acceptable type in the server's order, and a browser's
 * `*\/*;q=0.8` accepts JSON as curl's `*\/*` does (see accept.ts).
 */
export function prefersHtml(ctx: Context): boolean {
  varyByAccept(ctx);
  const accept = ctx.get('Accept');
  return mightPreferHtml(accept) && prefers(accept, HTML, JSON_TYPES);
}
