// Builds the Koa application. The middleware below reads top to bottom as the life of a request.
import cors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { AnswerCache, observeAnswers } from './http/answer-cache.ts';
import { authenticate } from './http/authentication.ts';
import { jsonBodies } from './http/body.ts';
import { conditionalGet } from './http/conditional.ts';
import { deadline } from './http/deadline.ts';
import { type Metrics, countRefusals, createMetrics } from './http/metrics.ts';
import { publicOrigins } from './http/origin.ts';
import { renderProblems } from './http/problem-renderer.ts';
import { requestGuard } from './http/request-guard.ts';
import { BlockLimiter } from './http/rate-limit-blocks.ts';
import { heldStanding, limitRequests } from './http/rate-limit.ts';
import { replayKeptAnswers } from './http/replay.ts';
import { logRequests, requestFields } from './http/request-log.ts';
import { closeIfBodyUnread } from './http/unread-body.ts';
import { Routes, endpointOf } from './http/routing.ts';
import { securityHeaders } from './http/security-headers.ts';
import { watchPool } from './metrics/database.ts';
import { docsRoutes } from './resources/docs/routes.ts';
import { explorerFiles } from './resources/explorer/assets.ts';
import { explorerForBrowsers, explorerRoutes } from './resources/explorer/routes.ts';
import { probes } from './resources/health/probes.ts';
import { importRoutes } from './resources/imports/routes.ts';
import { metricsRoutes } from './resources/metrics/routes.ts';
import { openApiRoutes } from './resources/openapi/routes.ts';
import { schemaRoutes } from './resources/schemas/routes.ts';
import { tokenRoutes } from './resources/tokens/routes.ts';
import { announceDeprecation, isV1 } from './resources/v1/deprecation.ts';
import { type Topology, serviceRoutes } from './services.ts';
import type { Store } from './store/index.ts';

type AppConfig = Pick<
  Config,
  | 'v1DeprecatedAt'
  | 'v1Sunset'
  | 'adminToken'
  | 'metricsToken'
  | 'rateLimit'
  | 'anonymousRateLimit'
  | 'requestDeadlineMs'
  | 'corsOrigins'
  | 'trustProxy'
  | 'imports'
> &
  Pick<Config, 'answerCache' | 'publicUrl' | 'allowedHosts'>;

export interface AppDependencies {
  config: AppConfig;
  /** Which services this process runs (src/services.ts). */
  topology: Topology;
  store: Store;
  log: Logger;
  /** Where every series is registered (src/metrics/registry.ts): the store's and the import worker's too. */
  registry: Registry;
  /** Routes only a test adds (a deliberately slow handler, say); production passes none. */
  extraRoutes?: (routes: Routes) => void;
  /** True once the server has begun a graceful shutdown (readiness then fails); never, when not given. */
  draining?: () => boolean;
}

/** What a browser client hosted elsewhere (HAL Explorer) may send and read. */
const CORS_ALLOW_HEADERS = ['Authorization', 'If-Match', 'If-None-Match', 'Content-Type', 'Prefer', 'Accept'];
const CORS_EXPOSE_HEADERS = [
  'Location',
  'ETag',
  'Link',
  'Allow',
  'Content-Location',
  'Deprecation',
  'Sunset',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Preference-Applied',
  'X-Request-Id',
];

/** Registers every route; what the middleware needs of them comes back (readiness's dependencies, the explorer). */
function registerRoutes(
  routes: Routes,
  { metrics, answers }: { metrics: Metrics; answers: AnswerCache },
  { config, topology, store, extraRoutes }: Pick<AppDependencies, 'config' | 'topology' | 'store' | 'extraRoutes'>,
) {
  // One URI per thing: `/Tickets/` is not `/tickets`. Every route is registered by its registry endpoint.
  const services = serviceRoutes(topology, store, metrics.registry, answers);
  services.register(routes); // home, tickets, FAQs, search and v1, as far as this process runs them
  tokenRoutes(routes, store);
  // Bulk imports make tickets: they run where the ticket service does.
  if (topology.tickets) importRoutes(routes, store, config.imports);
  schemaRoutes(routes);
  docsRoutes(routes);
  openApiRoutes(routes); // describes every route above, as registered
  metricsRoutes(routes, metrics);
  const explorer = explorerFiles();
  explorerRoutes(routes, explorer);
  extraRoutes?.(routes);
  return { dependencies: services.dependencies, explorer };
}

/** The per-token and per-address limiters. */
async function rateLimiters(store: Store, config: AppConfig) {
  // Counted in the database, so that instances share them; reserved from it in blocks, so that most requests
  // are counted in memory.
  const limiter = async (keyPrefix: string, { points, windowSeconds }: Config['rateLimit']) =>
    new BlockLimiter(await store.rateLimiter({ keyPrefix, points, durationSeconds: windowSeconds }));
  const [perToken, perAddress] = await Promise.all([
    limiter('token', config.rateLimit),
    limiter('address', config.anonymousRateLimit),
  ]);
  return { perToken, perAddress };
}

/** A Koa application that logs what fails outside its middleware and knows how far to trust proxies. */
function newApp(config: AppConfig, log: Logger): Koa {
  const app = new Koa();
  // What fails outside the middleware comes here: mostly a connection cut before its answer went out (a request
  // timeout, a client gone). A JSON line like the others, with the URL masked; Koa alone prints a stack to stderr.
  app.on('error', (error: Error, ctx?: Koa.Context) => {
    log.warn({ err: error, ...(ctx && requestFields(ctx)) }, 'answer not delivered');
  });
  // Addresses for per-address limits come from the socket, unless the operator says proxies set X-Forwarded-For.
  // Koa alone would believe the header's leftmost entry, which the client writes; counted from the right, the
  // entry is the one the outermost of our proxies saw the connection come from.
  app.proxy = config.trustProxy > 0;
  app.maxIpsCount = config.trustProxy;
  return app;
}

export async function buildApp({
  config,
  topology,
  store,
  log,
  registry,
  extraRoutes,
  draining = () => false,
}: AppDependencies): Promise<Koa> {
  // Routes are registered below; a request is labelled by its route's template once it is answered.
  const routes = new Routes(new Router({ strict: true, sensitive: true }));
  const metrics = createMetrics(registry, {
    versionOf: (path) => (isV1(path) ? 'v1' : 'current'),
    // The endpoint that answered (a routed handler, a probe), else the one whose address it is (a 401 or 429
    // comes before routing, a 405 after it without a handler).
    routeOf: (ctx) => (endpointOf(ctx) ?? routes.endpointAt(ctx.path))?.path,
  });
  if (store.pool) watchPool(registry, store.pool);
  const { perToken, perAddress } = await rateLimiters(store, config);
  const limits = { token: config.rateLimit, anonymous: config.anonymousRateLimit };
  const standing = heldStanding({ perToken, perAddress }, limits);

  // Finished GET answers, kept until the next committed write (none where the store cannot tell: PostgreSQL).
  const answers = new AnswerCache(() => store.generation(), config.answerCache);
  observeAnswers(answers, metrics.registry);
  const { dependencies, explorer } = registerRoutes(
    routes,
    { metrics, answers },
    { config, topology, store, extraRoutes },
  );

  const allowedOrigins = new Set(config.corsOrigins);
  const app = newApp(config, log);
  // Request id in; once answered, the answer counted and timed (errors included), Connection: close if it came
  // before the body was all in (a 503 past the deadline), and one log line out.
  app.use(logRequests(log, metrics.observe, closeIfBodyUnread));
  // A GET the same as one answered from the answer cache since the last write: that answer again, without the
  // steps below (each costs every request an async frame); the rate limit still counted.
  app.use(replayKeptAnswers(answers, { trustProxy: app.proxy, replayable: (path) => !isV1(path), standing }));
  app.use(
    cors({
      origin: (ctx) => (allowedOrigins.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
      allowHeaders: CORS_ALLOW_HEADERS,
      exposeHeaders: CORS_EXPOSE_HEADERS,
      maxAge: 600,
    }),
  );
  app.use(securityHeaders); // nosniff, Vary: Authorization, no-store when authenticated
  app.use(renderProblems(log)); // every failure below becomes a problem document
  // The origin every address below is written on: PUBLIC_URL's, or the request's own if its host is allowed.
  const origins = publicOrigins({ publicUrl: config.publicUrl, allowedHosts: config.allowedHosts });
  app.use(origins.resolve);
  // 400 for a token (or any credential) in the URL, on every route; then /health and /ready, before anything that
  // needs a token or the database; then 421 for a host the server does not answer to (after the probes:
  // orchestrators probe by address); and under /v1/ the deprecation announced (410 after the sunset).
  app.use(
    requestGuard({
      probe: probes({ store, draining, dependencies }).answer,
      refuseMisdirected: origins.refuseMisdirected,
      isV1,
      deprecation: announceDeprecation({ deprecatedAt: config.v1DeprecatedAt, sunset: config.v1Sunset }),
    }),
  );
  app.use(deadline(config.requestDeadlineMs)); // 503 past the deadline
  app.use(authenticate(store.tokens, config.adminToken, config.metricsToken)); // who is calling (a bad token is only noted here)
  app.use(limitRequests({ perToken, perAddress }, limits, countRefusals(registry))); // 429; then 401 for a bad token, counted against its address first
  app.use(conditionalGet()); // ETag on every GET, 304 when the client's copy is current
  app.use(explorerForBrowsers(explorer)); // a browser opening an API URL gets the explorer page there
  // 415 unless JSON, 413 past 100 kB, 400 when malformed; a route that reads its own body (a bulk import) says so.
  app.use(jsonBodies((ctx) => routes.readsOwnBody(ctx)));
  app.use(routes.router.routes()); // negotiation (406), then the handler, which checks what the caller may do
  app.use(routes.router.allowedMethods()); // 405 with Allow, 501, OPTIONS
  return app;
}
