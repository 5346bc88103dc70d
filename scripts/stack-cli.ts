// `npm run stack`: only the six servers, for tests and benchmarks. Runs in the foreground until
// Ctrl-C; `npm run stack -- stop` stops servers a detached run (e.g. the test harness) left behind.
import { ConfigError, loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { provision } from './stack/provision.js';
import { clearRecorded, readRecorded, startStack, stopServices } from './stack/stack.js';

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'up';
  if (command === 'stop') {
    const recorded = readRecorded();
    await stopServices(recorded);
    clearRecorded();
    console.log(`stopped ${recorded.filter((service) => service.pid).length} server(s)`);
    return;
  }
  if (command !== 'up') throw new Error('usage: npm run stack [-- up | stop]');
  const config = loadConfig();
  const log = logger();
  const services = await startStack(config, log.child({ component: 'stack' }));
  await provision(config, log.child({ component: 'provision' }));
  for (const service of services) console.log(`${service.name.padEnd(11)} ${service.address}${service.pid ? ` (pid ${service.pid})` : ' (reused)'}`);
  console.log('Stack is up. Press Ctrl-C to stop the servers it started.');
  // The servers are detached children, so nothing else keeps this process (and its Ctrl-C) alive.
  const keepAlive = setInterval(() => undefined, 60_000);
  const stop = async () => {
    clearInterval(keepAlive);
    await stopServices(services);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `corral: ${error.message}`);
  process.exit(2);
});
