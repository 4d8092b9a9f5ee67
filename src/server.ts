// One server: opens the store, builds the app, listens, and stops gracefully (drain, then close the store).
// The process entry that reads the configuration and handles signals is src/main.ts.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerOptions, type ServerResponse, createServer } from 'node:http';
import { hostname } from 'node:os';
import { setTimeout as pause } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AppDependencies, buildApp } from './app.ts';
import { type Config, ConfigError, type ConnectionTimeouts, redactDatabaseUrl } from './config.ts';
import { recordSpans } from './http/spans.ts';
import { type ImportWorker, startImportWorker } from './jobs/import-worker.ts';
import { MOUNT } from './links/registry.ts';
import { createLogger } from './log.ts';
import { timeQueries } from './metrics/database.ts';
import { watchImports } from './metrics/imports.ts';
import { createRegistry } from './metrics/registry.ts';
import { type Topology, topologyOf } from './services.ts';
import { engineOf } from './store/database.ts';
import { importsByState } from './store/import-counts.ts';
import { type Store, openStore } from './store/index.ts';

export interface RunningServer {
  server: Server;
  url: string;
  /** The server's logger (its lines are written asynchronously: see src/log.ts). */
  log: Logger;
  /**
   * Stops gracefully: no new connections, requests in flight finish (answered with `Connection: close`), idle
   * connections close at once, any still open after the grace period are cut, and then the store closes.
   */
  close(): Promise<void>;
}

/**
 * How long requests in flight may take to finish once shutdown begins (SHUTDOWN_DELAY_MS included): inside the
 * 10 s an orchestrator allows.
 */
export const SHUTDOWN_GRACE_MS = 8_000;

/**
 * Tracks answers not yet sent, so that shutdown can mark them `Connection: close`: Node's server.close() does
 * not end a keep-alive connection that is busy, and such a connection could otherwise carry more requests.
 */
function drainable(server: Server) {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const markClosing = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (draining) markClosing(response);
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // A connection that fell idle during shutdown has nothing left to finish.
      if (draining) server.closeIdleConnections();
    });
  });
  return {
    isDraining: () => draining,
    begin() {
      draining = true;
      for (const response of inFlight) markClosing(response);
    },
  };
}

/**
 * Node's timers for what a connection owes us. Koa has none of its own, and Node's defaults (60 s for headers,
 * 300 s for a request) let slow clients hold sockets for minutes. Node checks the headers and request timers
 * only every `connectionsCheckingInterval` (30 s by default, which made a 10 s timeout close at 10 to 40 s): here
 * every tenth of the headers timeout, at most every second, so each closes within a second of its setting.
 * An idle keep-alive connection is closed by its own socket timer, which Node sets a second past the
 * `Keep-Alive: timeout=` it advertises, so that a client acting on that header never meets a socket closing
 * under it.
 */
function connectionOptions({ headersMs, requestMs, keepAliveMs }: ConnectionTimeouts): ServerOptions {
  return {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.round(headersMs / 10))),
  };
}

/** The address could not be taken (in use, not allowed, not this machine's): a fault of PORT/HOST, not of the store. */
export class ListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    reason: Error,
  ) {
    super(`cannot listen on HOST=${host} PORT=${port}: ${reason.message}`, { cause: reason });
    this.name = 'ListenError';
  }
}

/** What a graceful stop closes, in order: the listener (after the delay), the import worker, then the store. */
interface Stoppable {
  server: Server;
  lifecycle: ReturnType<typeof drainable>;
  worker: ImportWorker | undefined;
  store: Store;
  log: Logger;
  shutdownDelayMs: number;
}

/** RunningServer.close, as documented there: stop taking work, let what is in flight finish, then close. */
async function stopGracefully({ server, lifecycle, worker, store, log, shutdownDelayMs }: Stoppable): Promise<void> {
  const begun = performance.now();
  // From here /ready answers 503 and every answer closes its connection; the listener stays open for the
  // configured delay, so a balancer's next probe meets "not ready", not a refused connection.
  lifecycle.begin();
  // The worker finishes its chunk and gives its job back while the requests in flight finish.
  const workerStopped = worker?.stop();
  // The grace period counts from the signal, the delay included: the process is gone within 10 s of it.
  const cut = setTimeout(() => {
    log.warn('shutdown grace period over: closing the connections still open');
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  if (shutdownDelayMs > 0) {
    log.info({ delayMs: shutdownDelayMs }, 'not ready: still listening before closing the listener');
    await pause(shutdownDelayMs);
  }
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  clearTimeout(cut);
  log.info({ ms: Math.round(performance.now() - begun) }, 'listener closed and every connection drained');
  await workerStopped;
  await store.close();
}

/** The URI registry fixed its mount when it loaded (src/links/mount.ts): a configuration that says otherwise would
 * serve links to paths no route answers. */
function checkMount(config: Config): void {
  if (config.basePath !== MOUNT)
    throw new ConfigError(
      'BASE_PATH',
      `this process mounts at "${MOUNT}" (fixed when the registry loaded), not "${config.basePath}"`,
    );
}

/** Opens the store with its queries timed from the first, which is why the registry is made before it. */
function openTimedStore(config: Config, registry: Registry): Promise<Store> {
  return openStore({
    url: config.databaseUrl,
    synchronous: config.sqliteSynchronous,
    groupCommit: config.groupCommit,
    searchBound: config.searchBound,
    timer: timeQueries(registry, engineOf(config.databaseUrl)),
  });
}

/** Listens on HOST and PORT; a refusal closes the store and names the address, not the store, as the fault. */
async function listen(server: Server, config: Config, store: Store): Promise<void> {
  server.listen(config.port, config.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    await store.close();
    throw new ListenError(config.host, config.port, error as Error);
  }
}

/**
 * Every instance that serves tickets runs bulk imports too (an FAQ service alone never has a job to poll for);
 * its leases name it, so a job it held can be told from another's.
 */
function importWorkerFor(
  topology: Topology,
  { store, config, log, registry }: { store: Store; config: Config; log: Logger; registry: Registry },
): ImportWorker | undefined {
  if (!topology.tickets) return undefined;
  return startImportWorker({
    imports: store.imports,
    config: config.imports,
    log,
    instance: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    observe: watchImports(registry, () => importsByState(store.db)),
  });
}

/** The URL the server answers at: the port it was given (PORT=0 picks one), an IPv6 host in brackets. */
function urlOf(server: Server, config: Config): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

export async function startServer(
  config: Config,
  extraRoutes?: AppDependencies['extraRoutes'],
): Promise<RunningServer> {
  checkMount(config);
  const topology = topologyOf(config);
  if (config.benchSpans) recordSpans();
  const log = createLogger(config.logLevel);
  const registry = createRegistry();
  const store = await openTimedStore(config, registry);
  let lifecycle: ReturnType<typeof drainable> | undefined;
  const draining = () => lifecycle?.isDraining() ?? false;
  const app = await buildApp({ config, topology, store, log, registry, extraRoutes, draining });
  // Handlers have their own, shorter deadline (503, src/http/deadline.ts); these bound the connection itself.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's handler answers every error itself (ctx.onerror): it never rejects
  const server = createServer(connectionOptions(config.connections), app.callback());
  const drained = drainable(server);
  lifecycle = drained;
  await listen(server, config, store);
  const worker = importWorkerFor(topology, { store, config, log, registry });
  const url = urlOf(server, config);
  log.info({ url, services: [...config.services], database: redactDatabaseUrl(config.databaseUrl) }, 'listening');
  return {
    server,
    url,
    log,
    close: () =>
      stopGracefully({ server, lifecycle: drained, worker, store, log, shutdownDelayMs: config.shutdownDelayMs }),
  };
}
