// The logger runwarden writes to: any pino-compatible object (pino itself, or a child).

/** One log method: pino's `(mergingObject, message)` form. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** A pino-compatible logger. Pass `pino()` or `pino().child({ ... })`. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;

/** The default: log nothing. Embedders pass their own logger. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
