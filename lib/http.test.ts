import type { AddressInfo } from 'node:net';
import { ConflictError, RateLimitedError } from './errors.js';
import { closeServer, createHttpApp, listen } from './http.js';
import { logger } from './log.js';

async function withApp(run: (base: string) => Promise<void>) {
  const app = createHttpApp({
    role: 'test',
    log: logger(),
    checks: [{ name: 'slow', check: () => new Promise((resolve) => setTimeout(resolve, 5_000)) }],
    dependencyTimeoutMs: 100,
    routes: (router) => {
      router.post('/echo', (req, res) => res.json(req.body));
      router.post('/conflict', () => {
        throw new ConflictError('seat already taken', 'seat-taken');
      });
      router.get('/limited', () => {
        throw new RateLimitedError(7);
      });
      router.get('/boom', () => {
        throw new Error('secret internals');
      });
    },
  });
  const server = await listen(app, '127.0.0.1', 0, 'TEST_PORT');
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await closeServer(server);
  }
}

describe('the HTTP shell', () => {
  it('answers malformed JSON with a 400 problem body', () =>
    withApp(async (base) => {
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 400, detail: 'request body is not valid JSON' });
    }));

  it('answers an oversized body with 413', () =>
    withApp(async (base) => {
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(100_000) }) });
      expect(response.status).toBe(413);
    }));

  it('maps typed errors to their status and code, with Retry-After on 429', () =>
    withApp(async (base) => {
      const conflict = await fetch(`${base}/conflict`, { method: 'POST' });
      expect(conflict.status).toBe(409);
      expect(await conflict.json()).toMatchObject({ type: 'https://corral.dev/problems/seat-taken', detail: 'seat already taken' });
      const limited = await fetch(`${base}/limited`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
    }));

  it('hides unexpected errors behind a generic 500', () =>
    withApp(async (base) => {
      const response = await fetch(`${base}/boom`);
      expect(response.status).toBe(500);
      expect(JSON.stringify(await response.json())).not.toContain('secret');
    }));

  it('answers unknown routes with a 404 problem and health without dependencies', () =>
    withApp(async (base) => {
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', role: 'test' });
    }));

  it('reports a dependency that misses its deadline as not ready', () =>
    withApp(async (base) => {
      const response = await fetch(`${base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ dependencies: { slow: { ok: false, error: 'slow did not answer within 100 ms' } } });
    }));
});

describe('request logs', () => {
  it('log ordinary answers of quiet routes only at debug, and their errors and slow answers always', async () => {
    const lines: Array<{ level: number; msg: string; url?: string }> = [];
    const { pino } = await import('pino');
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string; url?: string }) });
    const { quietRequestLog } = await import('./request-log.js');
    const app = createHttpApp({
      role: 'test',
      log,
      checks: [],
      dependencyTimeoutMs: 100,
      slowRequestMs: 50,
      routes: (router) => {
        router.get('/hot', quietRequestLog, (_req, res) => res.json({ ok: true }));
        router.get('/hot-slow', quietRequestLog, (_req, res) => void setTimeout(() => res.json({ ok: true }), 80));
        router.get('/hot-boom', quietRequestLog, () => {
          throw new Error('boom');
        });
        router.get('/cold', (_req, res) => res.json({ ok: true }));
      },
    });
    const server = await listen(app, '127.0.0.1', 0, 'TEST_PORT');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const hot = await fetch(`${base}/hot`, { headers: { 'x-request-id': 'req-1' } });
      expect(hot.headers.get('x-request-id')).toBe('req-1');
      for (const path of ['/hot-slow', '/hot-boom', '/cold']) await (await fetch(`${base}${path}`)).text();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const logged = lines.filter((line) => line.url !== undefined).map((line) => `${line.url} ${line.level} ${line.msg}`);
      expect(logged).toEqual(expect.arrayContaining(['/hot-slow 40 slow request', '/hot-boom 50 request completed', '/cold 30 request completed']));
      expect(logged.some((line) => line.startsWith('/hot '))).toBe(false);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/corral_http_request_duration_seconds_count\{[^}]*route="\/hot"[^}]*status_class="2xx"[^}]*\} 1/);
    } finally {
      await closeServer(server);
    }
  });
});
