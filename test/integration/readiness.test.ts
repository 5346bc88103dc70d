import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpApp, closeServer, listen } from '../../lib/http.js';
import { logger } from '../../lib/log.js';
import { Platform, type Dependency } from '../../lib/platform.js';
import { config } from './platform-env.js';

async function readyz(platform: Platform, dependencies: Dependency[]) {
  const app = createHttpApp({ role: 'test', log: logger(), checks: platform.checks(dependencies), dependencyTimeoutMs: 3_000 });
  const server: Server = await listen(app, '127.0.0.1', 0, 'TEST_PORT');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; dependencies: Record<string, { ok: boolean; error?: string }> } };
  } finally {
    await closeServer(server);
  }
}

describe('/readyz against the real stack', () => {
  const all: Dependency[] = ['redis', 'dynamodb', 'kafka', 'mysql', 'opensearch'];

  it('reports every dependency healthy by name', async () => {
    const platform = new Platform(config, logger());
    const { status, body } = await readyz(platform, all);
    await platform.close();
    expect(body.dependencies).toEqual(Object.fromEntries(all.map((name) => [name, expect.objectContaining({ ok: true })])));
    expect(body.status).toBe('ready');
    expect(status).toBe(200);
  });

  it('answers 503 and names the dependency that is down', async () => {
    const platform = new Platform({ ...config, REDIS_URL: 'redis://127.0.0.1:1' }, logger());
    const { status, body } = await readyz(platform, ['redis', 'mysql']);
    await platform.close();
    expect(status).toBe(503);
    expect(body.status).toBe('unready');
    expect(body.dependencies.redis?.ok).toBe(false);
    expect(body.dependencies.mysql?.ok).toBe(true);
  });
});
