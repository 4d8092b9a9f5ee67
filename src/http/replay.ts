// Kept answers given again without the middleware chain. A GET that is the same, header for header, as one the
// answer cache (answer-cache.ts) answered since the last committed write gets that answer's bytes and headers
// again; only what is made anew for each request is: its id, log line and metrics (request-log.ts, outside this
// step) and its rate-limit standing (here). Why: every step of Koa's chain costs each request an async frame and
// a promise, and the chain costs a kept answer twice what the answer's own work does (docs/performance.md: the
// same features in one synchronous step answer as fast as bare Koa).
//
// What makes this safe is the signature: everything a request says that an answer can depend on (the method,
// the origin as the chain resolves it, the URL, Accept and Authorization). A request with any other header is
// answered by the chain, as is anything under /v1 (whose headers change with the clock), anything the chain did
// not answer from the cache, and any caller with no rate-limit points held here.
import { hash } from 'node:crypto';
import type { Context } from 'koa';
import type { Caller } from '../domain/access.ts';
import type { AnswerCache, MadePerRequest, Replay } from './answer-cache.ts';
import type { Next } from './next.ts';
import { callerOf } from './authentication.ts';
import { requestState } from './request-state.ts';

/**
 * The request headers a kept answer may be given again with: those in the signature (host, accept,
 * authorization), those read for what is made per request (x-request-id; user-agent, by the metrics), and those
 * nothing in the server reads, which clients (browsers, fetch) send anyway. Any other header sends the request
 * down the chain: a header read somewhere, or one added to the server later, can never be answered wrongly here.
 * test/http/replay.test.ts checks that every header the server reads is either in the signature or not here.
 */
export const REPLAYABLE_HEADERS = [
  ...['host', 'accept', 'authorization', 'x-request-id', 'user-agent'],
  ...['connection', 'accept-encoding', 'accept-language', 'cache-control', 'pragma', 'referer', 'dnt', 'priority'],
  ...['sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest', 'sec-fetch-user', 'upgrade-insecure-requests'],
];
/** Read by ctx.protocol, ctx.host and ctx.ip when a proxy is trusted (TRUST_PROXY): the origin is in the signature. */
const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/** Answer headers set outside this step (the request log's id, the server's Connection): never kept. */
const OUTSIDE = new Set(['x-request-id', 'connection']);
/** Answer headers made anew each time an answer is given again: by Koa from the body, or here. */
const MADE: ReadonlySet<string> = new Set<MadePerRequest>(['content-length', 'ratelimit-policy', 'ratelimit']);

export interface ReplayOptions {
  /** Whether Koa trusts X-Forwarded-* (app.proxy). */
  trustProxy: boolean;
  /** Whether answers to this path may be given again at all. */
  replayable: (path: string) => boolean;
  /** Counts the request from rate-limit points held in memory, or says it cannot (rate-limit.ts, heldStanding). */
  standing: (caller: Caller) => { policy: string; value: string } | undefined;
}

/** Everything the request says that its answer can depend on; undefined when it says anything more. */
function signatureOf(ctx: Context, known: ReadonlySet<string>): string | undefined {
  if (ctx.method !== 'GET') return undefined;
  const raw = ctx.req.rawHeaders;
  for (let at = 0; at < raw.length; at += 2) if (!known.has(String(raw[at]).toLowerCase())) return undefined;
  // The credentials by their hash: the cache outlives the request, and keeps no secret a heap dump could show.
  const authorization = ctx.get('Authorization');
  const credentials = authorization === '' ? '' : hash('sha256', authorization, 'base64');
  return `${ctx.protocol}://${ctx.host}${ctx.url}\n${ctx.get('Accept')}\n${credentials}`;
}

/** How the chain just gave its answer, to give it again; undefined when it was not a kept answer. */
function replayOf(ctx: Context, signature: string): Replay | undefined {
  if (ctx.status !== 200 || ctx.res.headersSent) return undefined;
  const headers: Replay['headers'] = [];
  let bytes = signature.length;
  // Names as the chain wrote them (Node has kept their case since 15.13; @types/node types it on requests only).
  const response = ctx.res as typeof ctx.res & { getRawHeaderNames(): string[] };
  for (const name of response.getRawHeaderNames()) {
    const lower = name.toLowerCase();
    const value = ctx.res.getHeader(name);
    if (OUTSIDE.has(lower) || value === undefined) continue;
    headers.push(MADE.has(lower) ? { name, made: lower as MadePerRequest } : { name, value });
    bytes += name.length + String(value).length;
  }
  return { headers, caller: callerOf(ctx), endpoint: requestState(ctx).endpoint, bytes };
}

/** Gives the kept answer again, headers in the order the chain wrote them. */
function give(ctx: Context, body: Buffer, headers: Replay['headers'], limit: { policy: string; value: string }): void {
  for (const header of headers) {
    if (!('made' in header))
      ctx.set(header.name, typeof header.value === 'number' ? String(header.value) : header.value);
    else if (header.made === 'content-length') ctx.body = body;
    else ctx.set(header.name, header.made === 'ratelimit' ? limit.value : limit.policy);
  }
  if (ctx.body !== body) ctx.body = body;
  ctx.status = 200;
}

/** The step that gives kept answers again, and notes how each kept answer the chain gave may be given again. */
export function replayKeptAnswers(answers: AnswerCache, { trustProxy, replayable, standing }: ReplayOptions) {
  const known = new Set(trustProxy ? [...REPLAYABLE_HEADERS, ...FORWARDED] : REPLAYABLE_HEADERS);
  return async (ctx: Context, next: Next): Promise<void> => {
    const signature = signatureOf(ctx, known);
    const kept = signature === undefined ? undefined : answers.replay(signature);
    if (kept) {
      const { caller: keptCaller, endpoint, headers } = kept.replay;
      // What an answer shows never depends on the caller's address, but its rate limit does.
      const caller = keptCaller.kind === 'anonymous' ? { kind: 'anonymous' as const, address: ctx.ip } : keptCaller;
      const limit = standing(caller);
      if (limit) {
        answers.hits++;
        answers.replays++;
        Object.assign(requestState(ctx), { caller, endpoint });
        give(ctx, kept.answer.body, headers, limit);
        return;
      }
    }
    await next();
    const given = requestState(ctx).keptAnswer;
    if (signature === undefined || given === undefined || !replayable(ctx.path)) return;
    answers.remember(given.key, given.answer, signature, () => replayOf(ctx, signature));
  };
}
