// One pino logger for the whole process; modules take children with their own bindings.
import { pino, type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
    base: { service: 'corral' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}
