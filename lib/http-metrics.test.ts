import type { AddressInfo } from 'node:net';
import { closeServer, createHttpApp, listen } from './http.js';
import { logger } from './log.js';
import { metricsRegistry } from './metrics.js';

async function requestCount(labels: Record<string, string>): Promise<number> {
  const metric = (await metricsRegistry().getMetricsAsJSON()).find((entry) => entry.name === 'corral_http_requests_total');
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, string | number>; value: number }>;
  return values.filter((value) => Object.entries(labels).every(([name, wanted]) => value.labels[name] === wanted)).reduce((sum, value) => sum + value.value, 0);
}

describe('HTTP request metrics', () => {
  it('label a request with its route pattern and status class, never its raw URL, and skip the probes', async () => {
    const app = createHttpApp({
      role: 'metrics-test',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 100,
      routes: (router) => {
        router.get('/things/:id', (req, res) => res.json({ id: req.params.id }));
        router.get('/broken/:id', () => {
          throw new Error('boom');
        });
      },
    });
    const server = await listen(app, '127.0.0.1', 0, 'TEST_PORT');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const id of ['a', 'b', 'c']) expect((await fetch(`${base}/things/${id}`)).status).toBe(200);
      expect((await fetch(`${base}/broken/x`)).status).toBe(500);
      expect((await fetch(`${base}/nowhere/at/all`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await closeServer(server);
    }
    expect(await requestCount({ role: 'metrics-test', route: '/things/:id', method: 'GET', status_class: '2xx' })).toBe(3);
    expect(await requestCount({ role: 'metrics-test', route: '/broken/:id', status_class: '5xx' })).toBe(1);
    expect(await requestCount({ role: 'metrics-test', route: '(unmatched)', status_class: '4xx' })).toBe(1);
    expect(await requestCount({ role: 'metrics-test', route: '/healthz' })).toBe(0);
    const text = await metricsRegistry().metrics();
    expect(text).not.toMatch(/route="\/things\/a"/);
    expect(text).toMatch(/corral_http_request_duration_seconds_bucket\{[^}]*route="\/things\/:id"/);
  });
});
