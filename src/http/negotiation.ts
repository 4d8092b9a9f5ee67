// Content negotiation: picks the representation from Accept once per request, or answers 406.
import type { Context, Next } from 'koa';
import { HAL_JSON, REPRESENTATIONS, type Representation } from './media-types.ts';
import { Problem } from './problem.ts';

export function negotiate() {
  return async (ctx: Context, next: Next) => {
    ctx.vary('Accept');
    const chosen = ctx.accepts(...REPRESENTATIONS);
    if (chosen === false) {
      throw new Problem('not-acceptable', `This API answers with ${REPRESENTATIONS.join(' or ')}; the Accept header allows neither.`);
    }
    ctx.state.representation = (chosen || HAL_JSON) as Representation;
    await next();
  };
}

/** Sends a document in the negotiated representation. */
export function sendDocument(ctx: Context, body: unknown, status = 200): void {
  ctx.status = status;
  ctx.type = (ctx.state.representation as Representation | undefined) ?? HAL_JSON;
  ctx.body = body;
}
