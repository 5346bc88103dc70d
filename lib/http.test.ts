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
