// Request ids and request logs of every role's HTTP shell (the request count and duration metrics
// are http-metrics.ts). Hot routes (a join storm is 10,000 requests/s) mark themselves quiet: their
// ordinary answers are counted in the metrics and logged only at debug; their server errors and
// slow answers are still logged.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './log.js';

export interface RequestLogOptions {
  log: Logger;
  /** An answer that took at least this long is logged at warn, on quiet routes too. */
  slowRequestMs: number;
}

const QUIET = Symbol('quiet request log');
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const requestIdPattern = /^[\w-]{1,64}$/;

/** Mount on a hot route: its 2xx–4xx answers are logged at debug instead of info. */
export const quietRequestLog: RequestHandler = (_req, res, next) => {
  (res.locals as Record<symbol, unknown>)[QUIET] = true;
  next();
};

/** The request id the shell gave this request (the caller's `x-request-id` when it sent a sane one). */
export function requestId(res: Response): string | undefined {
  const id: unknown = res.locals['requestId'];
  return typeof id === 'string' ? id : undefined;
}

export function requestLog(options: RequestLogOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    res.locals['requestId'] = id;
    if (UNLOGGED_PATHS.has(req.url)) {
      next();
      return;
    }
    const startedAt = performance.now();
    const finish = (aborted: boolean) => {
      const elapsedMs = performance.now() - startedAt;
      const quiet = (res.locals as Record<symbol, unknown>)[QUIET] === true;
      const level = !aborted && res.statusCode >= 500 ? 'error' : elapsedMs >= options.slowRequestMs ? 'warn' : quiet || aborted ? 'debug' : 'info';
      if (!options.log.isLevelEnabled(level)) return;
      options.log[level](
        { reqId: id, method: req.method, url: req.originalUrl, statusCode: aborted ? undefined : res.statusCode, responseTimeMs: Math.round(elapsedMs) },
        aborted ? 'request aborted' : elapsedMs >= options.slowRequestMs ? 'slow request' : 'request completed',
      );
    };
    // 'close' follows every answer, and also a client that left before it: one listener for both.
    res.once('close', () => finish(!res.writableFinished));
    next();
  };
}
