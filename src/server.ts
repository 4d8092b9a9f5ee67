// The server entry: reads the configuration, opens the store, listens, and stops cleanly on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import { type AppDependencies, buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { openStore } from './store/index.ts';

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, extraRoutes?: AppDependencies['extraRoutes']): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const store = await openStore({ url: config.databaseUrl, synchronous: config.sqliteSynchronous });
  const app = await buildApp({ config, store, log, extraRoutes });
  const server = app.listen(config.port, config.host);
  // Koa has no deadlines of its own; Node's are set on purpose. A client has 10 s to send its headers and
  // 30 s for the whole request (slow-loris clients cannot hold sockets for minutes); idle keep-alive
  // connections close after 5 s, so a proxy in front must idle out sooner than that, or it may reuse a
  // connection just as we close it. Handlers have their own, shorter deadline (503).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, database: config.databaseUrl }, 'listening');
  return {
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`helpdesk: bad configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const running = await startServer(config);
  const stop = () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
