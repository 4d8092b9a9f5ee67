// Finished answers to GETs, kept until the next committed write: a page of twenty tickets is built once per
// change of the data, not once per request. Nothing is kept where the store cannot tell when data changed.
import type { Context } from 'koa';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type Caller, roleOf, ticketOwner } from '../domain/access.ts';
import { serialise } from './conditional.ts';
import { publicOrigin } from './origin.ts';
import { mediaTypeOf } from './routing.ts';

/** A finished 200 answer, as its headers and bytes. */
interface Answer {
  body: Buffer;
  contentType: string;
  etag: string;
  link: string | undefined;
}

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
      this.bytes = 0;
      this.seen = now;
    }
    return now;
  }

  /**
   * Answers from the kept copy under `key` if there is one of the current generation; otherwise runs `produce`
   * and keeps its answer, if it is a 200 and nothing was committed while it was made (else it may show data
   * older than a write already acknowledged).
   */
  async answer(ctx: Context, key: string, produce: () => Promise<void>): Promise<void> {
    const generation = this.current();
    if (generation === undefined) return produce();
    const kept = this.answers.get(key);
    if (kept) {
      this.hits++;
      this.answers.delete(key);
      this.answers.set(key, kept);
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
    this.keep(key, {
      body,
      contentType: ctx.response.get('Content-Type'),
      etag: ctx.response.get('ETag'),
      link: ctx.response.get('Link') || undefined,
    });
  }

  private keep(key: string, answer: Answer): void {
    const cost = answer.body.length + key.length;
    if (cost > this.limits.bytes) return;
    // Two requests for the same answer may both have missed: the second replaces the first.
    const before = this.answers.get(key);
    if (before) this.bytes -= before.body.length + key.length;
    this.answers.delete(key);
    this.answers.set(key, answer);
    this.bytes += cost;
    for (const [oldest, { body }] of this.answers) {
      if (this.answers.size <= this.limits.entries && this.bytes <= this.limits.bytes) break;
      this.answers.delete(oldest);
      this.bytes -= body.length + oldest.length;
    }
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
    help: 'Bytes of the kept answers (bodies and keys)',
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
    'helpdesk_answer_cache_misses_total',
    'GET answers that could have been kept but were made anew',
    () => answers.misses,
  );
}
