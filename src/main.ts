// The process entry (`npm start` runs its bundle, dist/server.js): reads the configuration, starts the server,
// and stops it cleanly on SIGTERM/SIGINT; with WORKERS above 1, this process becomes the primary of that many
// servers on one port (src/cluster.ts).
import cluster from 'node:cluster';
import { runPrimary } from './cluster.ts';
import { type Config, ConfigError, ConfigErrors, loadConfig, redactDatabaseUrl } from './config.ts';
import { setMount } from './links/mount.ts';
import { createLogger, exitFlushed } from './log.ts';
import type { RunningServer } from './server.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line per bad variable, each complete on its own (log collectors split on lines).
      const errors = error instanceof ConfigErrors ? error.errors : [error];
      console.error(errors.map((each) => `helpdesk: bad configuration: ${each.message}`).join('\n'));
      process.exit(2);
    }
    throw error;
  }
  // The server (and the URI registry under it) is loaded only now, once the mount it expands every template
  // under is known from the configuration.
  setMount(config.basePath);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config.workers, createLogger(config.logLevel));
  const { ListenError, startServer } = await import('./server.ts');
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (error) {
    // An operator needs the one fact (which store, why), not a driver's stack trace.
    if (error instanceof ListenError) {
      console.error(`helpdesk: ${error.message}`);
      process.exit(1);
    }
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `helpdesk: cannot start with DATABASE_URL=${redactDatabaseUrl(config.databaseUrl)}: ${reason.split('\n')[0]}`,
    );
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C reaches a cluster's workers directly, and the primary forwards SIGTERM too) must
    // neither kill the process mid-drain nor start a second shutdown.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Whatever happens, the process is gone within 10 s of the signal.
    setTimeout(() => process.exit(1), 10_000).unref();
    running.close().then(
      () => {
        log.info('stopped');
        exitFlushed(0, log, running.log);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        exitFlushed(1, log, running.log);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
