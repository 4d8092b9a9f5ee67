// The lean stack without Koa: the same features as lean-server.ts (a request id and one JSON log line, bound
// Prometheus series, bearer authentication, rate-limit headers, the security headers, routing and content
// negotiation, an ETag with 304 and a Link header), written on node:http directly, as a server would answer a
// kept answer before building a framework's context. No deadline: the answer is written synchronously, so no
// request can outlive one. Its throughput next to bare Koa's is the limit of that design on this machine.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import accepts from 'accepts';
import { pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';

const body = Buffer.from(process.env.LEAN_BODY ?? '{}');
const type = process.env.LEAN_TYPE ?? 'application/json';
const etag = process.env.LEAN_ETAG ?? `"${createHash('sha1').update(body).digest('base64url')}"`;
const link = process.env.LEAN_LINK ?? '';
const route = process.env.LEAN_ROUTE ?? '/';
// The route as the router reads it (`/tickets/:id`), matched against a request's path.
const routePath = new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`);
const adminHash = createHash('sha256')
  .update(process.env.ADMIN_TOKEN ?? '')
  .digest();
const REPRESENTATIONS = ['application/hal+json', 'application/prs.hal-forms+json', 'application/json'];
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
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
type Bound = { requests: ReturnType<typeof requests.labels>; duration: ReturnType<typeof duration.labels> };
const series = new Map<string, Bound>();
const spent = new Map<string, number>();

function observe(method: string, status: number, ms: number): void {
  const key = `${method} ${status}`;
  let bound = series.get(key);
  if (!bound) {
    const labels = { route, method, status: String(status) };
    series.set(key, (bound = { requests: requests.labels(labels), duration: duration.labels(labels) }));
  }
  bound.requests.inc();
  bound.duration.observe(ms / 1e3);
}

/** The status and headers of the answer to `req`, after authentication, rate limit, routing and negotiation. */
function answer(req: IncomingMessage, headers: Record<string, string>): number {
  const match = BEARER.exec(req.headers.authorization ?? '');
  if (!match || !timingSafeEqual(createHash('sha256').update(match[1]!).digest(), adminHash)) return 401;
  const used = (spent.get('admin') ?? 0) + 1;
  spent.set('admin', used);
  headers['RateLimit-Policy'] = POLICY;
  headers.RateLimit = `limit=1000000000, remaining=${1_000_000_000 - used}, reset=60`;
  if (req.method !== 'GET' || !routePath.test((req.url ?? '').split('?', 1)[0]!)) return 404;
  headers.Vary = 'Accept, Authorization';
  if (accepts(req).type(REPRESENTATIONS) === false) return 406;
  headers.ETag = etag;
  if (link) headers.Link = link;
  if (req.headers['if-none-match'] === etag) return 304;
  headers['Content-Type'] = type;
  headers['Content-Length'] = String(body.length);
  return 200;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/ready') return void res.end('ready');
  const started = performance.now();
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
  const headers: Record<string, string> = { 'X-Request-Id': requestId };
  const status = answer(req, headers);
  headers['X-Content-Type-Options'] = 'nosniff';
  headers['Cache-Control'] = 'no-store';
  headers.Vary ??= 'Authorization';
  res.writeHead(status, headers);
  res.end(status === 200 ? body : undefined);
  const ms = performance.now() - started;
  observe(req.method ?? 'GET', status, ms);
  log.info({ requestId, method: req.method, url: req.url, status, ms: Math.round(ms * 100) / 100 }, 'request');
}

const server = createServer(handle).listen(Number(process.env.PORT), process.env.HOST);
server.keepAliveTimeout = 5_000;
process.once('SIGTERM', () => server.close(() => log.flush(() => process.exit(0))));
