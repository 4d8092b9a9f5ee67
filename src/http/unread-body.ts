// An answer given before its request's body has all arrived (the deadline's 503 to a body still trickling in, a
// refusal that needs no body) closes the connection. Kept open, Node would go on reading the rest only to throw it
// away, and a client sending a byte a second would hold the socket until the request timeout.
import type { Context } from 'koa';

/** Once answered (request-log.ts runs it): `Connection: close` when the request's body is not all in. */
export function closeIfBodyUnread(ctx: Context): void {
  // `complete` is true once the parser has seen the whole request, read by us or not: a bodiless GET at once.
  if (!ctx.req.complete && !ctx.res.headersSent) ctx.set('Connection', 'close');
}
