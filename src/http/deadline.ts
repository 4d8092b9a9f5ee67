// A deadline per request: Koa has none, so a request stuck past it is answered 503 with Retry-After and the
// server keeps serving everyone else. The late handler's own answer is dropped when it finally comes.
import type { Context, Next } from 'koa';
import { Problem } from './problem.ts';

export function deadline(milliseconds: number) {
  return async (ctx: Context, next: Next) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Problem(
            'service-unavailable',
            `The request took longer than ${milliseconds} ms. Its answer was abandoned, but a write may still complete: read the resource before repeating a write that is not idempotent.`,
            { headers: { 'Retry-After': '1' } },
          ),
        );
      }, milliseconds);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
