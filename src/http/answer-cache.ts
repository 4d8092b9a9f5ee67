// Finished answers to GETs, kept until the next committed write: a page of twenty tickets is built once per
// change of the data, not once per request. Nothing is kept where the store cannot tell when data changed.
import type { Context } from 'koa';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type Caller, roleOf, ticketOwner } from '../domain/access.ts';
import type { Endpoint } from '../links/registry.ts';
import { serialise } from './conditional.ts';
import { publicOrigin } from './origin.ts';
import { requestState } from './request-state.ts';
import { mediaTypeOf } from './routing.ts';

/**
 * How a kept answer was given to one request (replay.ts): enough to give it again, without the middleware chain,
 * to a request that is the same header for header.
 */
export interface Replay {
  /**
   * The answer's headers as the chain wrote them, in order: each its value, or what is made anew for each request
   * in its place (the body's length, the rate-limit policy and standing).
   */
  headers: ({ name: string; value: string | string[] | number } | { name: string; made: MadePerRequest })[];
  /** Who asked, as authentication found them; what answered, as the metrics label it. */
  caller: Caller;
  endpoint: Endpoint | undefined;
  /** Bytes counted against the cache's bound: the request's signature and the headers. */
  bytes: number;
}

/** The headers of a kept answer made anew each time it is given again (replay.ts). */
export type MadePerRequest = 'content-length' | 'ratelimit-policy' | 'ratelimit';

/** A finished 200 answer, as its headers and bytes, and the requests it may be given to again as it was. */
export interface Answer {
  body: Buffer;
  contentType: string;
  etag: string;
  link: string | undefined;
  /** By request signature (replay.ts); made when first given again. */
  replays?: Map<string, Replay>;
  /** Bytes counted against the bound: body, key and replays. */
  cost: number;
}

/** The ways one answer is given again are few (a handful of clients, media types, hosts): at most this many. */
const MAX_REPLAYS_PER_ANSWER = 8;

export interface AnswerCacheLimits {
  /** At most this many answers (0: none are kept). */
  entries: number;
  /** Of at most this many bytes together (bodies and keys). */
  bytes: number;
}

/**
 * Everything an answer depends on besides the data: the origin its links are for, the URL (path and query),
 * the negotiated media type, the caller's role and what they own, and the FAQ side's variant (its `faqs` links).
 * The one place a key is made, so that whatever else an answer comes to depend on is added here.
 */
export function answerKey(ctx: Context, caller: Caller, variant: string | undefined): string {
  // The public origin every address in the answer is built on (not ctx.origin: in Koa 3 that is the request's
  // Origin header).
  return `${publicOrigin(ctx)}\n${ctx.url}\n${mediaTypeOf(ctx)}\n${roleOf(caller)}\n${ticketOwner(caller) ?? ''}\n${variant ?? ''}`;
}

export class AnswerCache {
  /** In order of last use: the first is the next to go. */
  private readonly answers = new Map<string, Answer>();
  private bytes = 0;
  /** Answers given from a kept copy, and answers made (and kept if they could be), since start. */
  hits = 0;
  misses = 0;
  /** Of the hits, those given again without the middleware chain (replay.ts). */
  replays = 0;
  /** Which kept answer each request signature was given (replay.ts); emptied with the answers. */
  private readonly givenTo = new Map<string, string>();
  /** The store's generation the kept answers were read at. */
  private seen: string | undefined;

  constructor(
    /** The store's generation (see Store.generation): kept answers stand while it is unchanged. */
    private readonly generation: () => string | undefined,
    private readonly limits: AnswerCacheLimits,
  ) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.answers.size, bytes: this.bytes };
  }

  /** The generation now; when it moved on, whatever was kept is dropped (it may be stale). */
  private current(): string | undefined {
    if (this.limits.entries === 0) return undefined;
    const now = this.generation();
    if (now !== this.seen) {
      this.answers.clear();
      this.givenTo.clear();
      this.bytes = 0;
      this.seen = now;
    }
    return now;
  }

  /**
   * Answers from the kept copy under `key` if there is one of the current generation; otherwise runs `produce`
   * and keeps its answer, if it is a 200 and nothing was committed while it was made (else it may show data
   * older than a write already acknowledged). `replayable` when the answer depends on nothing but its key and the
   * request's headers (replay.ts may give it again without the chain).
   */
  async answer(ctx: Context, key: string, produce: () => Promise<void>, replayable = true): Promise<void> {
    const generation = this.current();
    if (generation === undefined) return produce();
    const kept = this.answers.get(key);
    if (kept) {
      this.hits++;
      this.answers.delete(key);
      this.answers.set(key, kept);
      if (replayable) requestState(ctx).keptAnswer = { key, answer: kept };
      ctx.status = 200;
      ctx.set('Content-Type', kept.contentType);
      ctx.set('ETag', kept.etag);
      if (kept.link !== undefined) ctx.set('Link', kept.link);
      ctx.body = kept.body;
      return;
    }
    this.misses++;
    await produce();
    if (ctx.status !== 200) return;
    serialise(ctx);
    if (typeof ctx.body !== 'string' || this.current() !== generation) return;
    const body = Buffer.from(ctx.body);
    ctx.body = body;
    const answer: Answer = {
      body,
      contentType: ctx.response.get('Content-Type'),
      etag: ctx.response.get('ETag'),
      link: ctx.response.get('Link') || undefined,
      cost: body.length + key.length,
    };
    if (this.keep(key, answer) && replayable) requestState(ctx).keptAnswer = { key, answer };
  }

  /** Keeps `answer` under `key`, dropping the least recently used past the bounds; false when it is too big to keep. */
  private keep(key: string, answer: Answer): boolean {
    if (answer.cost > this.limits.bytes) return false;
    // Two requests for the same answer may both have missed: the second replaces the first.
    const before = this.answers.get(key);
    if (before) this.drop(key, before);
    this.answers.set(key, answer);
    this.bytes += answer.cost;
    this.withinBounds();
    return true;
  }

  private withinBounds(): void {
    for (const [oldest, answer] of this.answers) {
      if (this.answers.size <= this.limits.entries && this.bytes <= this.limits.bytes) break;
      this.drop(oldest, answer);
    }
  }

  private drop(key: string, answer: Answer): void {
    this.answers.delete(key);
    this.bytes -= answer.cost;
    for (const signature of answer.replays?.keys() ?? []) this.givenTo.delete(signature);
  }

  /**
   * The answer kept for a request with this signature, and how it was given, while nothing was committed since;
   * counted as a hit by whoever gives it.
   */
  replay(signature: string): { answer: Answer; replay: Replay } | undefined {
    // The signature first: most requests never had an answer given again, and they need no generation read here.
    if (!this.givenTo.has(signature) || this.current() === undefined) return undefined;
    const key = this.givenTo.get(signature);
    const answer = key === undefined ? undefined : this.answers.get(key);
    const replay = answer?.replays?.get(signature);
    if (key === undefined || answer === undefined || replay === undefined) return undefined;
    this.answers.delete(key);
    this.answers.set(key, answer);
    return { answer, replay };
  }

  /**
   * Notes how `answer`, given under `key` to a request with this signature, may be given again: `replayOf` is asked
   * only when it will be kept (not for a signature noted already, nor past MAX_REPLAYS_PER_ANSWER).
   */
  remember(key: string, answer: Answer, signature: string, replayOf: () => Replay | undefined): void {
    // Only the answer still kept: a write may have been committed while the request was answered.
    if (this.current() === undefined || this.answers.get(key) !== answer) return;
    answer.replays ??= new Map();
    if (answer.replays.has(signature) || answer.replays.size >= MAX_REPLAYS_PER_ANSWER) return;
    const replay = replayOf();
    if (replay === undefined) return;
    answer.replays.set(signature, replay);
    this.givenTo.set(signature, key);
    answer.cost += replay.bytes;
    this.bytes += replay.bytes;
    this.withinBounds();
  }
}

/** The cache as Prometheus sees it: how full it is, and how often it answered. */
export function observeAnswers(answers: AnswerCache, registry: Registry): void {
  const registers = [registry];
  new Gauge({
    name: 'helpdesk_answer_cache_entries',
    help: 'Finished GET answers kept until the next committed write',
    registers,
    collect() {
      this.set(answers.size.entries);
    },
  });
  new Gauge({
    name: 'helpdesk_answer_cache_bytes',
    help: 'Bytes of the kept answers (bodies, keys, and the requests each was given to again)',
    registers,
    collect() {
      this.set(answers.size.bytes);
    },
  });
  const counted = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  counted('helpdesk_answer_cache_hits_total', 'GET answers given from a kept copy', () => answers.hits);
  counted(
    'helpdesk_answer_cache_replays_total',
    'Of the hits, answers given again without the middleware chain, to a request the same as one given it before',
    () => answers.replays,
  );
  counted(
    'helpdesk_answer_cache_misses_total',
    'GET answers that could have been kept but were made anew',
    () => answers.misses,
  );
}
