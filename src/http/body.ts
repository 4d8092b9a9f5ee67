// Request bodies: only JSON is read (any +json type included), at most 100 kB; anything else is a 415.
import type { Context, Middleware } from 'koa';
import type { Next } from './next.ts';
import { HttpMethodEnum, koaBody } from 'koa-body';
import compose from 'koa-compose';
import { jsonShapeFault, jsonShapeMessage } from './json-shape.ts';
import { JSON_BODY_TYPES, JSON_TYPE } from './media-types.ts';
import { Problem, invalid } from './problem.ts';

/** What one request body may carry, in bytes; a bulk import's rows are each held to it too. */
export const BODY_LIMIT_BYTES = 100 * 1024;
const BODY_LIMIT = `${BODY_LIMIT_BYTES}b`;
const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(ctx: Context): boolean {
  const length = Number(ctx.get('Content-Length') || '0');
  return ctx.get('Transfer-Encoding') !== '' || length > 0;
}

/** Plain `application/json` (what most clients send) is known at a glance; anything else is matched in full. */
function isJson(ctx: Context): boolean {
  return ctx.get('Content-Type') === JSON_TYPE || Boolean(ctx.is(JSON_BODY_TYPES));
}

/** koa-body silently leaves unknown types unparsed; here they are refused before it runs. */
async function requireJson(ctx: Context, next: Next) {
  if (METHODS_WITH_BODIES.has(ctx.method) && hasBody(ctx) && !isJson(ctx)) {
    const given = ctx.get('Content-Type') || 'no Content-Type';
    throw new Problem(
      'unsupported-media-type',
      `Send the body as application/json (or application/hal+json); got ${given}.`,
    );
  }
  await next();
}

/** zlib's own errors carry codes like Z_DATA_ERROR (gzip, deflate) or ERR__ERROR_FORMAT_… (brotli), and no HTTP status. */
function isDecompressionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(Z_|ERR__ERROR_)/.test(code);
}

/**
 * A body whose Content-Encoding does not match its bytes fails inside zlib, with no HTTP status, and would be
 * a 500: it is the client's mistake, so it is a 400. Only errors raised while parsing count, not those below.
 */
export function refuseUndecodable(parse: Middleware) {
  return async (ctx: Context, next: Next) => {
    let parsed = false;
    try {
      await parse(ctx, () => {
        parsed = true;
        return next();
      });
    } catch (error) {
      if (!parsed && isDecompressionError(error)) {
        // The failed decompression left the rest of the body unread: drain it, or the connection is reset
        // while a client sending a large body is still at it, and it never reads this answer.
        ctx.req.resume();
        throw new Problem('invalid-request', `The body could not be decoded as ${ctx.get('Content-Encoding')}.`);
      }
      throw error;
    }
  };
}

/**
 * A body nested past MAX_JSON_DEPTH, or with U+0000 in a string, is a 400 naming the place, before any schema
 * (or any recursive code) sees it.
 */
async function refuseBadShapes(ctx: Context, next: Next) {
  const fault = jsonShapeFault(ctx.request.body);
  if (fault) throw invalid(jsonShapeMessage(fault), [fault]);
  await next();
}

/** `ownBody` names requests whose route reads its own body, with limits of its own (Routes.readsOwnBody). */
export function jsonBodies(ownBody: (ctx: Context) => boolean = () => false) {
  const parse = compose([
    requireJson,
    refuseUndecodable(
      koaBody({
        json: true,
        jsonStrict: true,
        jsonLimit: BODY_LIMIT,
        jsonTypes: JSON_BODY_TYPES,
        urlencoded: false,
        text: false,
        multipart: false,
        parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH],
      }),
    ),
    refuseBadShapes,
  ]);
  // Only POST, PUT and PATCH bodies are read (and refused when not JSON): anything else goes straight on.
  return (ctx: Context, next: Next) =>
    !METHODS_WITH_BODIES.has(ctx.method) || ownBody(ctx) ? next() : (parse(ctx, next) as Promise<void>);
}

/** The parsed body, or undefined when the request carried none. */
export function bodyOf(ctx: Context): unknown {
  return hasBody(ctx) ? ctx.request.body : undefined;
}
