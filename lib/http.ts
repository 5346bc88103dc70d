// The Express shell every role shares: JSON bodies, request ids and logs (request-log.ts), request
// count and duration per route (http-metrics.ts), /healthz, /readyz, /metrics, and the single place
// where errors become problem JSON.
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { AppError, internalProblem, NotFoundError, unreachableDependency, type ProblemBody } from './errors.js';
import { checkReadiness, type DependencyCheck } from './health.js';
import type { Logger } from './log.js';
import { httpMetricsMiddleware } from './http-metrics.js';
import { metricsRegistry } from './metrics.js';
import { requestId, requestLog } from './request-log.js';

export interface HttpShellOptions {
  role: string;
  log: Logger;
  checks: DependencyCheck[];
  dependencyTimeoutMs: number;
  /** See SLOW_REQUEST_MS; defaults to its default. */
  slowRequestMs?: number;
  /** Mounts the role's own routes between the platform endpoints and the 404 handler. */
  routes?: (app: Express) => void;
}

export function createHttpApp(options: HttpShellOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(httpMetricsMiddleware(options.role));
  app.use(requestLog({ log: options.log, slowRequestMs: options.slowRequestMs ?? 1_000 }));
  app.use(express.json({ limit: '64kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', role: options.role });
  });
  app.get('/readyz', async (_req, res, next) => {
    try {
      const report = await checkReadiness(options.checks, options.dependencyTimeoutMs);
      res.status(report.status === 'ready' ? 200 : 503).json({ role: options.role, ...report });
    } catch (error) {
      next(error);
    }
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const registry = metricsRegistry();
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      next(error);
    }
  });

  options.routes?.(app);

  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(problemHandler(options.log));
  return app;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function problemHandler(log: Logger) {
  return (thrown: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let problem: ProblemBody;
    // A database that did not answer is the caller's 503 (retry later), not our 500.
    const unreachable = thrown instanceof AppError ? undefined : unreachableDependency(thrown);
    if (unreachable) log.warn({ err: thrown, reqId: requestId(res) }, 'a dependency did not answer');
    const error = unreachable ?? thrown;
    if (error instanceof AppError) {
      problem = error.toProblem();
      if (error.status === 429 && typeof error.extensions.retryAfterSeconds === 'number') {
        res.setHeader('Retry-After', String(error.extensions.retryAfterSeconds));
      }
    } else if (isBodyParserError(error)) {
      problem = bodyProblem(error);
    } else {
      log.error({ err: error, reqId: requestId(res) }, 'unhandled error');
      problem = internalProblem();
    }
    if (problem.status >= 500 && error instanceof AppError) log.warn({ err: error }, 'request failed');
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  };
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' && typeof (error as BodyParserError).status === 'number';
}

function bodyProblem(error: BodyParserError): ProblemBody {
  const status = error.status ?? 400;
  const detail =
    error.type === 'entity.parse.failed'
      ? 'request body is not valid JSON'
      : error.type === 'entity.too.large'
        ? 'request body is too large'
        : 'request body could not be read';
  return new AppError(status >= 400 && status < 500 ? status : 400, 'bad-body', detail).toProblem();
}

/** Listens and resolves once bound; rejects with a clear message when the port is taken. */
export function listen(app: Express, host: string, port: number, portVariable: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`config: ${portVariable}=${port} is already in use on ${host}`));
      else reject(error);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
