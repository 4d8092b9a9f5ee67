// The lean stack: a synthetic Koa server with only the features every helpdesk answer must have, each written
// as cheaply as we know how: a request id and one JSON log line (asynchronous pino), Prometheus metrics (bound
// series), bearer authentication (a hash compared in constant time), rate-limit headers (counted in memory),
// a deadline, the security headers, a router with content negotiation, and an ETag (304 when current) and a
// Link header. It answers with the helpdesk's own bytes (LEAN_BODY), already serialised, as a cache would.
// Its throughput next to bare Koa's is the most a server with these features can reach on this machine.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';

const body = Buffer.from(process.env.LEAN_BODY ?? '{}');
const type = process.env.LEAN_TYPE ?? 'application/json';
const etag = process.env.LEAN_ETAG ?? `"${createHash('sha1').update(body).digest('base64url')}"`;
const link = process.env.LEAN_LINK ?? '';
const route = process.env.LEAN_ROUTE ?? '/';
const adminHash = createHash('sha256')
  .update(process.env.ADMIN_TOKEN ?? '')
  .digest();
const REPRESENTATIONS = ['application/hal+json', 'application/prs.hal-forms+json', 'application/json'];
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;
const POLICY = '1000000000;w=60';

const log = pino({ base: { pid: process.pid } }, pino.destination({ dest: 1, sync: false, minLength: 1 }));
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
const series = new Map<
  string,
  { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> }
>();
const spent = new Map<string, number>();

const app = new Koa();
// For the bench to know it is up (without a token); nothing else answers here.
app.use((ctx, next) => {
  if (ctx.path !== '/ready') return next();
  ctx.body = 'ready';
});
app.use(async (ctx, next) => {
  const given = ctx.get('X-Request-Id');
  const requestId = ACCEPTABLE_ID.test(given) ? given : randomUUID();
  ctx.set('X-Request-Id', requestId);
  const started = performance.now();
  try {
    await next();
  } finally {
    const ms = performance.now() - started;
    const key = `${ctx.method} ${ctx.status}`;
    let bound = series.get(key);
    if (!bound) {
      const labels = { route, method: ctx.method, status: String(ctx.status) };
      series.set(key, (bound = { requests: requests.labels(labels), duration: duration.labels(labels) }));
    }
    bound.requests.inc();
    bound.duration.observe(ms / 1e3);
    log.info(
      { requestId, method: ctx.method, url: ctx.url, status: ctx.status, ms: Math.round(ms * 100) / 100 },
      'request',
    );
  }
});
app.use(async (ctx, next) => {
  try {
    await next();
  } finally {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.vary('Authorization');
    ctx.set('Cache-Control', 'no-store');
  }
});
app.use(async (ctx, next) => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('deadline')), 10_000)));
  try {
    await Promise.race([next(), expired]);
  } finally {
    clearTimeout(timer);
  }
});
app.use(async (ctx, next) => {
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(ctx.get('Authorization'));
  if (!match || !timingSafeEqual(createHash('sha256').update(match[1]!).digest(), adminHash)) {
    ctx.status = 401;
    return;
  }
  const used = (spent.get('admin') ?? 0) + 1;
  spent.set('admin', used);
  ctx.set('RateLimit-Policy', POLICY);
  ctx.set('RateLimit', `limit=1000000000, remaining=${1_000_000_000 - used}, reset=60`);
  await next();
});
const router = new Router({ strict: true, sensitive: true });
router.get(route, (ctx) => {
  ctx.vary('Accept');
  if (ctx.accepts(...REPRESENTATIONS) === false) {
    ctx.status = 406;
    return;
  }
  ctx.set('ETag', etag);
  if (link) ctx.set('Link', link);
  if (ctx.get('If-None-Match') === etag) {
    ctx.status = 304;
    return;
  }
  ctx.set('Content-Type', type);
  ctx.body = body;
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT), process.env.HOST);
server.keepAliveTimeout = 5_000;
process.once('SIGTERM', () => server.close(() => log.flush(() => process.exit(0))));
