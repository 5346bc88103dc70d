// Jest global setup: integration suites run against the real local stack. Servers already
// listening (npm start, npm run stack, or URLs given in env) are reused; missing ones are started
// here and stopped by global-teardown.mjs. It runs the compiled stack code (`pretest` builds it).
import { loadConfig } from '../dist/lib/config.js';
import { logger } from '../dist/lib/log.js';
import { provision } from '../dist/scripts/stack/provision.js';
import { startStack } from '../dist/scripts/stack/stack.js';

export default async function globalSetup() {
  process.env.NODE_ENV ??= 'test';
  const config = loadConfig();
  const log = logger().child({ component: 'test-stack' });
  const started = Date.now();
  const services = await startStack(config, log);
  globalThis.corralStack = services;
  await provision(config, log);
  const owned = services.filter((service) => service.pid).map((service) => service.name);
  process.stdout.write(`\nlocal stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (started: ${owned.join(', ') || 'none'}; reused the rest)\n`);
}
