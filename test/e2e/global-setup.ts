// Playwright global setup: the local stack the roles of fixtures.ts use, as the Jest harness does it
// (test/global-setup.mjs): servers already listening are reused, missing ones started here and
// stopped by the teardown this returns.
import { loadConfig } from '../../lib/config.js';
import { logger } from '../../lib/log.js';
import { provision } from '../../scripts/stack/provision.js';
import { startStack, stopServices } from '../../scripts/stack/stack.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const log = logger().child({ component: 'test-stack' });
  const started = Date.now();
  const services = await startStack(config, log);
  try {
    await provision(config, log);
  } catch (error) {
    await stopServices(services);
    throw error;
  }
  const owned = services.filter((service) => service.pid).map((service) => service.name);
  process.stdout.write(`local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (started: ${owned.join(', ') || 'none'}; reused the rest)\n`);
  return () => stopServices(services);
}
