// A bad configuration as start-up reports it: one ConfigError per bad variable, all of them gathered (by a
// collector) into one ConfigErrors, so that an operator fixes every variable in one go.

/** One bad variable: its line names it, what it got and what it takes. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Every bad variable of one environment: `message` has one line per variable, in the order they are read. */
export class ConfigErrors extends ConfigError {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors[0]?.variable ?? '', '');
    this.message = errors.map((error) => error.message).join('\n');
    this.name = 'ConfigErrors';
  }
}

/** Runs one variable's reader; a ConfigError is kept for the report and the field left undefined. */
export type Take = <T>(reader: () => T) => T;

export function collector(errors: ConfigError[]): Take {
  return <T>(reader: () => T): T => {
    try {
      return reader();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined as T;
    }
  };
}
