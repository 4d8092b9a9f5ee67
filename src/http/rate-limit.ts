// Limits on abuse: each token (or, without one, each address) may make so many requests per window. The counts
// live in the database, so every instance on it enforces the same limit (see ./rate-limit-blocks.ts for how
// requests are counted without a database write each). The 401 for a refused token is thrown here too, after
// counting, so that guessing tokens costs requests like anything else (authentication.ts only notes it).
import type { Context } from 'koa';
import type { Next } from './next.ts';
import type { RateLimit } from '../config.ts';
import type { Caller } from '../domain/access.ts';
import { callerOf, refuseBadCredentials } from './authentication.ts';
import { Problem } from './problem.ts';
import type { RefusalKind } from './metrics.ts';
import type { BlockLimiter, Standing } from './rate-limit-blocks.ts';

export interface RateLimiters {
  perToken: BlockLimiter;
  perAddress: BlockLimiter;
}

function policyOf(limit: RateLimit): string {
  return `${limit.points};w=${limit.windowSeconds}`;
}

/** Where this caller stands, as the RateLimit field says it. */
function rateLimitValue(limit: RateLimit, standing: Standing): string {
  const reset = Math.max(1, Math.ceil(standing.msBeforeReset / 1000));
  return `limit=${limit.points}, remaining=${standing.remaining}, reset=${reset}`;
}

function headers(limit: RateLimit, standing: Standing): Record<string, string> {
  // The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers): the policy, and where this caller stands.
  return { 'RateLimit-Policy': policyOf(limit), RateLimit: rateLimitValue(limit, standing) };
}

/** The 429 for a caller past its limit, with when to come back. */
function tooMany(kind: 'token' | 'address', limit: RateLimit, standing: Standing): Problem {
  const retryAfter = String(Math.max(1, Math.ceil(standing.msBeforeReset / 1000)));
  return new Problem(
    'too-many-requests',
    `This ${kind} may make ${limit.points} requests every ${limit.windowSeconds} s; wait ${retryAfter} s.`,
    { headers: { 'Retry-After': retryAfter, ...headers(limit, standing) } },
  );
}

type Limits = { token: RateLimit; anonymous: RateLimit };

/** The limiter, limit, policy header and key a caller is counted under: its token's, else its address's. */
function countedAs(limiters: RateLimiters, limits: Limits) {
  // The policies never change: their header values are written once.
  const policies = { token: policyOf(limits.token), anonymous: policyOf(limits.anonymous) };
  return (caller: Caller) =>
    caller.kind === 'token'
      ? ([limiters.perToken, limits.token, policies.token, String(caller.tokenId)] as const)
      : ([limiters.perAddress, limits.anonymous, policies.anonymous, caller.address] as const);
}

/** `refused` is told of each refusal (for metrics). */
export function limitRequests(limiters: RateLimiters, limits: Limits, refused: (kind: RefusalKind) => void = () => {}) {
  const counted = countedAs(limiters, limits);
  return (ctx: Context, next: Next): Promise<void> => {
    const caller = callerOf(ctx);
    const [limiter, limit, policy, key] = counted(caller);
    const admit = (standing: Standing) => {
      if (!standing.admitted) {
        refused(caller.kind === 'token' ? 'token' : 'address');
        throw tooMany(caller.kind === 'token' ? 'token' : 'address', limit, standing);
      }
      ctx.set('RateLimit-Policy', policy);
      ctx.set('RateLimit', rateLimitValue(limit, standing));
      // Counted as anonymous, against the address: now the refused token's 401 (authentication.ts noted it).
      refuseBadCredentials(ctx);
      return next();
    };
    // Counted from the points held here when there are some (nearly always); else reserved from the database,
    // whose failure rejects here and is answered as any other (503 when it is out of reach).
    const held = limiter.spendUnspent(key);
    return held ? admit(held) : limiter.spend(key).then(admit);
  };
}

/**
 * Counts a request of `caller` from the points held here, as limitRequests does, and gives its RateLimit-Policy
 * and RateLimit values; or nothing, counting nothing, when none are held (points held are always free to spend:
 * limitRequests then reserves from the database, or answers 429). For an answer given without the chain.
 */
export function heldStanding(limiters: RateLimiters, limits: Limits) {
  const counted = countedAs(limiters, limits);
  return (caller: Caller): { policy: string; value: string } | undefined => {
    const [limiter, limit, policy, key] = counted(caller);
    const held = limiter.spendUnspent(key);
    return held && { policy, value: rateLimitValue(limit, held) };
  };
}
