// Typed errors and their one mapping to HTTP problem JSON (RFC 9457). Routes throw these;
// lib/http.ts turns them into responses. Anything else is a 500 whose details stay in the log.
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toProblem(): ProblemBody {
    return {
      type: `https://corral.dev/problems/${this.code}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...this.extensions,
    };
  }
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export class ValidationError extends AppError {
  constructor(message: string, issues: Array<{ path: string; message: string }> = []) {
    super(400, 'validation', message, issues.length > 0 ? { issues } : {});
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or invalid credentials') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'not found') {
    super(404, 'not-found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate-limited', `too many requests; retry after ${retryAfterSeconds}s`, { retryAfterSeconds });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string) {
    super(503, 'unavailable', message);
  }
}

/** Socket-level failures: the dependency's server did not answer (refused, reset, timed out). */
const SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'];
const UNREACHABLE_CODES = new Set([...SOCKET_CODES, 'ER_GET_CONNECTION_TIMEOUT', 'ER_CONNECTION_TIMEOUT', 'ER_SOCKET_UNEXPECTED_CLOSE']);
const UNREACHABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'PrismaClientInitializationError']);
/** Prisma's "cannot reach / lost the database server / pool timed out" codes. */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** A socket failure named in an error's text (where only the text survived a wrapper). */
const SOCKET_ERROR_TEXT = new RegExp(`\\b(${SOCKET_CODES.join('|')}|socket hang up)\\b`);
/** The mariadb driver's socket/pool codes as Prisma's driver adapter reports them (ER_SOCKET_UNEXPECTED_CLOSE,
 * ER_CONNECTION_TIMEOUT, ER_GET_CONNECTION_TIMEOUT), with the socket error as text in `cause`. */
const UNREACHABLE_MARIADB_CODES = new Set(['45009', '45012', '45028']);

/** Prisma (driver adapters) puts the driver's failure under meta.driverAdapterError.cause, not `cause`. */
function driverAdapterUnreachable(failure: { meta?: unknown }): boolean {
  const adapterCause = (failure.meta as { driverAdapterError?: { cause?: { originalCode?: unknown; cause?: unknown } } } | undefined)?.driverAdapterError?.cause;
  if (!adapterCause) return false;
  return (typeof adapterCause.originalCode === 'string' && UNREACHABLE_MARIADB_CODES.has(adapterCause.originalCode)) || (typeof adapterCause.cause === 'string' && SOCKET_ERROR_TEXT.test(adapterCause.cause));
}

/** The SDK re-wraps a non-Error throwable (a socket error from another realm, as under Jest's VM
 * modules) as "AWS SDK error wrapper for Error: connect ECONNREFUSED …", keeping only the text. */
const sdkWrappedSocketError = (message: unknown) => typeof message === 'string' && message.startsWith('AWS SDK error wrapper for ') && SOCKET_ERROR_TEXT.test(message);

/**
 * A database or queue that could not be reached (an error thrown by a client after its own bounded
 * retries and timeouts), as a 503 the caller may retry; undefined for any other error. Looks through
 * `cause` chains, as Prisma's driver adapter and the AWS SDK wrap the socket error.
 */
export function unreachableDependency(error: unknown): UnavailableError | undefined {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const failure = current as { name?: unknown; code?: unknown; errorCode?: unknown; cause?: unknown; message?: unknown; meta?: unknown };
    const code = typeof failure.code === 'string' ? failure.code : typeof failure.errorCode === 'string' ? failure.errorCode : undefined;
    const name = typeof failure.name === 'string' ? failure.name : undefined;
    if (sdkWrappedSocketError(failure.message) || driverAdapterUnreachable(failure) || (code !== undefined && (UNREACHABLE_CODES.has(code) || UNREACHABLE_PRISMA_CODES.has(code))) || (name !== undefined && UNREACHABLE_NAMES.has(name))) {
      return new UnavailableError('a database this request needs is not answering; retrying later is safe');
    }
    current = failure.cause;
  }
  return undefined;
}

export function internalProblem(): ProblemBody {
  return { type: 'https://corral.dev/problems/internal', title: 'Internal Server Error', status: 500 };
}
