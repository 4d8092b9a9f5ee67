// The one place where a failed call to another service becomes what our caller is told: 503 with Retry-After
// while that service cannot be reached (try again later), 502 when it answered against its contract.
import { Problem } from '../http/problem.ts';
import { RemoteFailure } from './hypermedia.ts';

/** The problem to answer for a failed call to `service`; any other error is passed through untouched. */
export function problemFor(error: unknown, service: string): unknown {
  if (!(error instanceof RemoteFailure)) return error;
  if (error.kind === 'bad-answer')
    return new Problem(
      'bad-gateway',
      `The ${service} answered in a way its contract does not allow; nothing was changed.`,
    );
  return new Problem(
    'service-unavailable',
    `The ${service} cannot be reached right now; nothing was changed. Try again later.`,
    {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    },
  );
}
