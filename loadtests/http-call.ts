// One HTTP call as the pages make it, for the load scenarios (flash-sale.ts, soak.ts): JSON in and
// out, a problem body becomes an HttpProblem (status, the problem type's last segment, Retry-After).
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly retryAfterSeconds: number | undefined,
    detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call as the pages make it; a problem body becomes an HttpProblem. Bounded by a timeout. */
export async function call<T>(url: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const reply = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!response.ok) {
    const code = typeof reply['type'] === 'string' ? String(reply['type']).split('/').pop()! : `http-${response.status}`;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new HttpProblem(response.status, code, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined, String(reply['detail'] ?? text.slice(0, 200)));
  }
  return reply as T;
}
