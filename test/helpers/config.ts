// Configuration errors as tests meet them: the ConfigError that loading an environment throws.
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The ConfigError that loading `env` throws; anything else (or nothing) fails the test. */
export function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}
