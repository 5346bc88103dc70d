// Request count and duration of every role's Express app, per role, matched route pattern, method
// and status class. The route label is the pattern Express matched (`/api/events/:id`), never the
// raw URL, so its cardinality is the number of routes; requests no route matched (static files, 404s)
// share one value.
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './metrics.js';

type HttpLabel = 'role' | 'route' | 'method' | 'status_class';

export interface HttpMetrics {
  requests: Counter<HttpLabel>;
  duration: Histogram<HttpLabel>;
}

/** The route label of a request that no route matched. */
export const UNMATCHED_ROUTE = '(unmatched)';
/** Platform endpoints are probes and scrapes, not traffic: a failing /readyz is not an error rate. */
const PLATFORM_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

let metrics: HttpMetrics | undefined;

export function httpMetrics(): HttpMetrics {
  const registers = [metricsRegistry()];
  metrics ??= {
    requests: new Counter({
      name: 'corral_http_requests_total',
      help: 'HTTP requests answered, per role, matched route pattern, method and status class (2xx…5xx)',
      labelNames: ['role', 'route', 'method', 'status_class'],
      registers,
    }),
    duration: new Histogram({
      name: 'corral_http_request_duration_seconds',
      help: 'From the request arriving to the response finishing, per role, matched route pattern, method and status class',
      labelNames: ['role', 'route', 'method', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
  return metrics;
}

/** `2xx` … `5xx`. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** The matched route pattern of a finished request (its router's mount path included). */
export function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl}${route.path}`;
}

/** Mount first: times every request of the app (the platform endpoints excepted). */
export function httpMetricsMiddleware(role: string) {
  const { requests, duration } = httpMetrics();
  return (req: Request, res: Response, next: NextFunction) => {
    if (PLATFORM_PATHS.has(req.path)) return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        role,
        route: routeLabel(req),
        method: KNOWN_METHODS.has(req.method) ? req.method : 'other',
        status_class: statusClass(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
