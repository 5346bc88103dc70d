import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../lib/config.js';
import { logger } from '../../lib/log.js';
import { stackServices } from '../../scripts/stack/services.js';
import { stackPaths } from '../../scripts/stack/stack-config.js';
import { startService } from '../../scripts/stack/stack.js';

describe('local stack start-up', () => {
  it('refuses a port held by something that is not the server, naming the variable', async () => {
    const impostor = net.createServer((socket) => {
      socket.on('error', () => undefined); // the probe hangs up on the impostor; that is expected
      socket.end('HTTP/1.1 200 OK\r\n\r\nnot redis', () => socket.destroy());
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const { port } = impostor.address() as AddressInfo;
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    const redis = stackServices(loadConfig(env), env, stackPaths(), logger()).find((spec) => spec.name === 'redis')!;
    await expect(startService(redis, stackPaths(), logger())).rejects.toThrow(new RegExp(`^REDIS_URL: 127.0.0.1:${port} is in use by something that is not a usable redis`));
    await new Promise((resolve) => impostor.close(resolve));
  });

  it('reuses a healthy server already listening instead of starting another', async () => {
    const config = loadConfig();
    const redis = stackServices(config, process.env, stackPaths(), logger()).find((spec) => spec.name === 'redis')!;
    const running = await startService(redis, stackPaths(), logger());
    expect(running.pid).toBeUndefined();
  });
});
