// The broker's structured log (pino): one JSON object per line on stderr ({"level":30,"time":...,"msg":...}),
// or pino-pretty's readable lines when stderr is a terminal. Writes are synchronous (pino.destination sync), so a
// line written just before process.exit is not lost; at the broker's log rate (start, stop, errors) that costs
// nothing. stdout stays free for the CLI's own output (the `sluice broker ready on ...` line).
// brokerLog() adapts the logger to the broker's `log(message)` (BrokerOptions.log): the level comes from the
// message (warnLevelOf) until call sites choose their own.
// Owner: main thread (the CLI's process).
import { createRequire } from 'node:module';
import { type DestinationStream, type Level, type Logger, pino } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = Level | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: LogLevel;
  /** Default: 'pretty' when stderr is a TTY, else 'json'. */
  format?: LogFormat;
  /** Default: stderr (fd 2). */
  destination?: DestinationStream;
  /** Fields on every line (pino bindings), e.g. { nodeId: 1 }. */
  base?: Record<string, unknown>;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const format = o.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const options = { level: o.level ?? 'info', base: { pid: process.pid, ...o.base } };
  if (o.destination !== undefined) return pino(options, o.destination);
  if (format === 'pretty') {
    // Loaded only for a terminal: JSON-only processes never pay for pino-pretty's colorette and dateformat.
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return pino(options, pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

/** Messages that report something going wrong are logged at warn, the rest at info. */
export function warnLevelOf(message: string): 'warn' | 'info' {
  return /\b(failed|cannot|could not|exited|unclean|error)\b/i.test(message) ? 'warn' : 'info';
}

/** The broker's `log(message)` on top of a pino logger. */
export function brokerLog(logger: Logger): (message: string) => void {
  return (message) => logger[warnLevelOf(message)](message);
}
