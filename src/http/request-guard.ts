// The checks every request passes before anything needs a token or the database, in one step rather than four
// (each step of Koa's chain costs every request a call, a bound function and a promise): credentials in the URL
// (400), the probes (answered here: orchestrators probe by address, with no token), a host the server does not
// answer to (421), and FAQ contract v1's deprecation, announced on its every answer (410 after the sunset).
import type { Context } from 'koa';
import type { Next } from './next.ts';
import { refuseCredentialsInQuery } from './credentials.ts';

export interface GuardSteps {
  /** The probes' answer to a request for one of their paths, else undefined (resources/health/probes.ts). */
  probe: (ctx: Context) => Promise<void> | undefined;
  /** Throws 421 for a host not answered to (origin.ts). */
  refuseMisdirected: (ctx: Context) => void;
  /** Whether a path is FAQ contract v1's. */
  isV1: (path: string) => boolean;
  /** Wraps a v1 request: announces the deprecation on its answer, refuses it after the sunset (resources/v1/deprecation.ts). */
  deprecation: (ctx: Context, next: Next) => Promise<void>;
}

/** In this order: credentials, probes, host, and (for v1, around the rest) the deprecation, as four steps would be. */
export function requestGuard({ probe, refuseMisdirected, isV1, deprecation }: GuardSteps) {
  return (ctx: Context, next: Next): Promise<void> => {
    refuseCredentialsInQuery(ctx);
    const probed = probe(ctx);
    if (probed !== undefined) return probed;
    if (!isV1(ctx.path)) {
      refuseMisdirected(ctx);
      return next();
    }
    return deprecation(ctx, () => {
      refuseMisdirected(ctx);
      return next();
    });
  };
}
