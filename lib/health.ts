// Readiness: each role lists the dependencies it needs; /readyz runs every check with a deadline
// and reports each by name, so ops can see which server is the problem.
export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'unready';
  dependencies: Record<string, DependencyStatus>;
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(checks: DependencyCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async ({ name, check }): Promise<[string, DependencyStatus]> => {
      const started = performance.now();
      try {
        await withDeadline(check(), timeoutMs, name);
        return [name, { ok: true, latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, { ok: false, latencyMs: Math.round(performance.now() - started), error: message }];
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { status: entries.every(([, status]) => status.ok) ? 'ready' : 'unready', dependencies };
}
