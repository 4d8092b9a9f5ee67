// What both lean stacks (lean-server.ts on Koa, lean-http-server.ts on node:http) are made of, written once: the
// answer they serve (the helpdesk's own bytes, ETag and Link, given by the bench), the admin's token hash, the
// request log, bound Prometheus series and the in-memory rate-limit count. Only how each stack wires them differs.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';

export const body = Buffer.from(process.env.LEAN_BODY ?? '{}');
export const type = process.env.LEAN_TYPE ?? 'application/json';
export const etag = process.env.LEAN_ETAG ?? `"${createHash('sha1').update(body).digest('base64url')}"`;
export const link = process.env.LEAN_LINK ?? '';
export const route = process.env.LEAN_ROUTE ?? '/';
export const REPRESENTATIONS = ['application/hal+json', 'application/prs.hal-forms+json', 'application/json'];
export const POLICY = '1000000000;w=60';

const adminHash = createHash('sha256')
  .update(process.env.ADMIN_TOKEN ?? '')
  .digest();
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

export const log = pino({ base: { pid: process.pid } }, pino.destination({ dest: 1, sync: false, minLength: 1 }));
const registry = new Registry();
const labelNames = ['route', 'method', 'status'] as const;
const requests = new Counter({ name: 'http_requests_total', help: 'answered', labelNames, registers: [registry] });
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'time',
  labelNames,
  buckets: [0.001, 0.01, 0.1, 1],
  registers: [registry],
});
type Bound = { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> };
const series = new Map<string, Bound>();
const spent = new Map<string, number>();

/** The request id a client sent, if acceptable, else a new one. */
export function requestIdOf(given: string | undefined): string {
  return given !== undefined && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}

/** Whether the Authorization header carries the admin's token (compared by hash, in constant time). */
export function isAdmin(authorization: string | undefined): boolean {
  const match = BEARER.exec(authorization ?? '');
  return match !== null && timingSafeEqual(createHash('sha256').update(match[1]!).digest(), adminHash);
}

/** The admin's RateLimit value after one more request, counted in memory. */
export function spendOne(): string {
  const used = (spent.get('admin') ?? 0) + 1;
  spent.set('admin', used);
  return `limit=1000000000, remaining=${1_000_000_000 - used}, reset=60`;
}

/** Once answered: the request counted and timed in its bound series, and its log line written. */
export function answered(requestId: string, method: string, url: string, status: number, ms: number): void {
  const key = `${method} ${status}`;
  let bound = series.get(key);
  if (!bound) {
    const labels = { route, method, status: String(status) };
    series.set(key, (bound = { requests: requests.labels(labels), duration: duration.labels(labels) }));
  }
  bound.requests.inc();
  bound.duration.observe(ms / 1e3);
  log.info({ requestId, method, url, status, ms: Math.round(ms * 100) / 100 }, 'request');
}
