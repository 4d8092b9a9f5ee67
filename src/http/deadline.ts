// A deadline per request: Koa has none, so a request stuck past it is answered 503 with Retry-After and the
// server keeps serving everyone else. The late handler's own answer is dropped when it finally comes.
import type { Context } from 'koa';
import type { Next } from './next.ts';
import { Problem } from './problem.ts';

/** A request under way: when its time is up, and how to abandon it then. */
interface Running {
  due: number;
  expire: ((late: Problem) => void) | undefined;
}

/**
 * Every request has the same time, so they fall due in the order they came: one timer, for the oldest, serves
 * them all, where a timer each cost every request a Timeout made, listed and unlisted, and a promise race.
 */
class Deadlines {
  /** Oldest first, from `head` on; an entry whose request finished has `expire` cleared. */
  private readonly running: Running[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly milliseconds: number,
    private readonly late: () => Problem,
  ) {}

  /** Runs `next`, rejecting with the 503 once the time is up if it has not settled by then. */
  run(next: Next): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Running = { due: performance.now() + this.milliseconds, expire: reject };
      this.running.push(entry);
      this.timer ??= this.arm(this.milliseconds);
      // Settles as `next` does, unless expired first. (Not resolve(next()): that would lock in next's outcome,
      // and the 503 could no longer come first.)
      next().then(
        () => {
          this.finished(entry);
          resolve();
        },
        (error: unknown) => {
          this.finished(entry);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as the step below threw it
          reject(error);
        },
      );
    });
  }

  /**
   * Marks a request finished, and drops the finished ones at the front: the list holds the requests since the
   * oldest still running, so at most those of one deadline's time (a few bytes each once finished).
   */
  private finished(entry: Running): void {
    entry.expire = undefined;
    while (this.head < this.running.length && this.running[this.head]?.expire === undefined) this.head++;
    if (this.head === this.running.length) {
      this.running.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.running.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Unreferenced: a request in flight keeps the process up by its socket, a deadline alone does not. */
  private arm(delay: number): NodeJS.Timeout {
    return setTimeout(() => this.expireDue(), delay).unref();
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const entry of this.running.slice(this.head)) {
      if (entry.due > now) break;
      const expire = entry.expire;
      if (expire) this.finished(entry);
      expire?.(this.late());
    }
    this.running.splice(0, this.head);
    this.head = 0;
    const oldest = this.running[0];
    if (oldest) this.timer = this.arm(Math.max(1, oldest.due - now));
  }
}

export function deadline(milliseconds: number) {
  const deadlines = new Deadlines(
    milliseconds,
    () =>
      new Problem(
        'service-unavailable',
        `The request took longer than ${milliseconds} ms. Its answer was abandoned, but a write may still complete: read the resource before repeating a write that is not idempotent.`,
        { headers: { 'Retry-After': '1' } },
      ),
  );
  return (_ctx: Context, next: Next): Promise<void> => deadlines.run(next);
}
