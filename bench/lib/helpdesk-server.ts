// The real server (src/server.ts startServer) in a bench child process, configured from its environment.
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { answerMemoryQuestions } from './child.ts';

try {
  const running = await startServer(loadConfig(process.env));
  answerMemoryQuestions();
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
  process.send!({ url: running.url });
} catch (error) {
  process.send!({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
