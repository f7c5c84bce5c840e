/** Where the library writes diagnostics. It never prints by itself. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger whose lines are prefixed, e.g. with the group and step they concern. */
export function prefixLogger(logger: Logger, prefix: string): Logger {
  return {
    debug: (m, meta) => logger.debug(`${prefix} ${m}`, meta),
    info: (m, meta) => logger.info(`${prefix} ${m}`, meta),
    warn: (m, meta) => logger.warn(`${prefix} ${m}`, meta),
    error: (m, meta) => logger.error(`${prefix} ${m}`, meta),
  };
}
