// Every answer under /v1/ says that v1 is deprecated, when it goes away, what replaces it and where to read why.
import type { Context, Next } from 'koa';
import { gone } from '../../http/problem.ts';
import { linkValue } from '../../links/link-header.ts';
import { endpoints } from '../../links/registry.ts';

export interface DeprecationSchedule {
  deprecatedAt: Date;
  sunset: Date;
}

/** The current contract's address for a v1 address: the same FAQ, the same collection, or the home document. */
function successorOf(path: string): string {
  const faq = endpoints.v1Faq.match(path);
  if (faq?.id !== undefined) return endpoints.faq.href({ id: faq.id });
  if (endpoints.v1Faqs.match(path)) return endpoints.faqs.href();
  return endpoints.home.href();
}

export function isV1(path: string): boolean {
  return path === endpoints.v1Home.path.slice(0, -1) || path.startsWith(endpoints.v1Home.path);
}

/** Announces the deprecation on every v1 answer; from the sunset on, v1 answers 410 Gone (still announcing it). */
export function announceDeprecation(schedule: DeprecationSchedule, now: () => Date = () => new Date()) {
  // RFC 9745: a structured-field date, seconds since the epoch; RFC 8594: an HTTP date.
  const deprecation = `@${Math.floor(schedule.deprecatedAt.getTime() / 1000)}`;
  const sunset = schedule.sunset.toUTCString();
  const explanation = endpoints.deprecation.href({ name: 'faq-v1' });
  return async (ctx: Context, next: Next) => {
    if (!isV1(ctx.path)) {
      await next();
      return;
    }
    try {
      if (now() >= schedule.sunset) {
        throw gone(`FAQ contract v1 was retired on ${sunset}. The current contract starts at /; see ${explanation}.`);
      }
      await next();
    } finally {
      ctx.set('Deprecation', deprecation);
      ctx.set('Sunset', sunset);
      // A create's successor is the new FAQ itself, in the current contract.
      const created = ctx.status === 201 ? ctx.response.get('Location') : '';
      ctx.append('Link', [
        linkValue('successor-version', { href: successorOf(created || ctx.path) }),
        linkValue('deprecation', { href: explanation, type: 'text/html' }),
      ]);
    }
  };
}
