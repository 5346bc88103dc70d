// Calls to the roles: JSON in, JSON out, and problem JSON (RFC 9457) turned into one typed error the
// pages can branch on by `code` (the last segment of the problem type) and `status`.
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** Send cookies cross-origin (the waiting room's visitor cookie). */
  credentials?: boolean;
  signal?: AbortSignal;
}

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: options.credentials ? 'include' : 'same-origin',
      signal: options.signal ?? AbortSignal.timeout(15_000),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiProblem(0, 'network', 'We could not reach Corral. Check your connection; we will keep trying.', {});
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const type = typeof parsed['type'] === 'string' ? parsed['type'] : '';
    const code = type.split('/').pop() || `http-${response.status}`;
    const detail = typeof parsed['detail'] === 'string' ? parsed['detail'] : response.statusText;
    throw new ApiProblem(response.status, code, detail, parsed);
  }
  return parsed as T;
}

function parseJson(text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
