import type { LogLevel } from '../config/config.ts';

/** Structured fields attached to a log line (request id, session id, timings…). */
export type LogFields = Record<string, unknown>;

/** A small leveled logger. Lines below the configured level cost one comparison. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ requestId }`). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level: LogLevel;
  /**
   * `json`: one JSON object per line (for log collectors); `pretty`: `time LEVEL msg k=v` for people.
   * Defaults to pretty on a terminal, JSON otherwise.
   */
  format?: 'json' | 'pretty';
  /** Where lines go; defaults to stderr, keeping stdout free for command output. */
  write?: (line: string) => void;
}

/** Creates the process logger. Errors in fields are flattened to name, message, code and stack. */
export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const min = RANK[options.level];
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const all = { ...bound, ...fields };
    for (const [k, v] of Object.entries(all)) if (v instanceof Error) all[k] = serializeError(v);
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level, msg, ...all }));
    } else {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => createLogger({ ...options, format, write }, { ...bound, ...fields }),
  };
}

function serializeError(err: Error): LogFields {
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(code !== undefined ? { code } : {}), stack: err.stack };
}
