// Limits on abuse: each token (or, without one, each address) may make so many requests per window. The counts
// live in the database, so every instance on it enforces the same limit.
import type { Context, Next } from 'koa';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit } from '../config.ts';
import { callerOf, refuseBadCredentials } from './authentication.ts';
import { Problem } from './problem.ts';

export interface RateLimiters {
  perToken: RateLimiterAbstract;
  perAddress: RateLimiterAbstract;
}

function headers(limit: RateLimit, result: RateLimiterRes): Record<string, string> {
  const reset = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  // The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers): the policy, and where this caller stands.
  return {
    'RateLimit-Policy': `${limit.points};w=${limit.windowSeconds}`,
    RateLimit: `limit=${limit.points}, remaining=${result.remainingPoints}, reset=${reset}`,
  };
}

export function limitRequests(limiters: RateLimiters, limits: { token: RateLimit; anonymous: RateLimit }) {
  return async (ctx: Context, next: Next) => {
    const caller = callerOf(ctx);
    const [limiter, limit, key] =
      caller.kind === 'token'
        ? [limiters.perToken, limits.token, String(caller.tokenId)]
        : [limiters.perAddress, limits.anonymous, caller.address];
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfter = String(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
      throw new Problem('too-many-requests', `This ${caller.kind === 'token' ? 'token' : 'address'} may make ${limit.points} requests every ${limit.windowSeconds} s; wait ${retryAfter} s.`, {
        headers: { 'Retry-After': retryAfter, ...headers(limit, refusal) },
      });
    }
    ctx.set(headers(limit, result));
    refuseBadCredentials(ctx);
    await next();
  };
}
