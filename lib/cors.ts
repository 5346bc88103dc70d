// CORS for the one origin the web pages come from (WEB_ORIGIN): the waiting-room and admission roles
// answer it with credentials allowed, so the visitor cookie rides along. A node-style handler, so the
// same policy serves Express routes and engine.io's long-polling transport.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export function corsForOrigin(allowedOrigin: string): NodeMiddleware {
  return (req, res, next) => {
    const origin = req.headers.origin;
    // Responses differ by Origin, so caches must key on it even when this origin is refused.
    res.setHeader('Vary', 'Origin');
    if (origin !== allowedOrigin) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'Location, Retry-After, X-Request-Id');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      res.statusCode = 204;
      res.end();
      return;
    }
    next();
  };
}
