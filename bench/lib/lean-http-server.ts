// The lean stack without Koa: the same features as lean-server.ts (lean-features.ts: a request id and one JSON
// log line, bound Prometheus series, bearer authentication, rate-limit headers; then the security headers,
// routing and content negotiation, an ETag with 304 and a Link header), on node:http directly, in one synchronous
// step, as a server can give a kept answer before its framework's chain. No deadline: the answer is written
// synchronously, so no request can outlive one. Next to bare Koa, the limit of that design on this machine.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import accepts from 'accepts';
import {
  POLICY,
  REPRESENTATIONS,
  answered,
  body,
  etag,
  isAdmin,
  link,
  log,
  requestIdOf,
  route,
  spendOne,
  type,
} from './lean-features.ts';

// The route as the router reads it (`/tickets/:id`), matched against a request's path.
const routePath = new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`);

/** The status of the answer to `req`, its headers added to `headers`: authentication, rate limit, route, negotiation. */
function answer(req: IncomingMessage, headers: Record<string, string>): number {
  if (!isAdmin(req.headers.authorization)) return 401;
  headers['RateLimit-Policy'] = POLICY;
  headers.RateLimit = spendOne();
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
  const requestId = requestIdOf(typeof given === 'string' ? given : undefined);
  const headers: Record<string, string> = { 'X-Request-Id': requestId };
  const status = answer(req, headers);
  headers['X-Content-Type-Options'] = 'nosniff';
  headers['Cache-Control'] = 'no-store';
  headers.Vary ??= 'Authorization';
  res.writeHead(status, headers);
  res.end(status === 200 ? body : undefined);
  answered(requestId, req.method ?? 'GET', req.url ?? '', status, performance.now() - started);
}

const server = createServer(handle).listen(Number(process.env.PORT), process.env.HOST);
server.keepAliveTimeout = 5_000;
process.once('SIGTERM', () => server.close(() => log.flush(() => process.exit(0))));
