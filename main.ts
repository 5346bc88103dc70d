// Entry point of the image: `node dist/main.js <role>` runs one role (or `all`) against servers
// given by env. `npm start` (scripts/start.ts) starts the local servers first, then one of these per role.
import { loadConfig } from './lib/config.js';
import { logger } from './lib/log.js';
import { Platform } from './lib/platform.js';
import { parseRoles, startRoles, stopRoles } from './roles.js';

async function main(): Promise<void> {
  const roles = parseRoles(process.argv[2]);
  const config = loadConfig();
  const log = logger();
  const platform = new Platform(config, log);
  const running = await startRoles(roles, platform);
  for (const role of running) log.info({ role: role.role, url: role.url }, 'ready to serve');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await stopRoles(running);
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Forked with an IPC channel (`npm start`'s scripts/role-processes.ts, a test or benchmark that may
  // SIGKILL it): say when it serves and where, and never outlive the parent. Without a channel (a
  // pod, npm run role) neither applies.
  if (process.send !== undefined) {
    process.send({ ready: running.map((role) => ({ role: role.role, url: role.url })) });
    process.on('disconnect', () => void stop('parent disconnected'));
  }
}

main().catch((error: Error) => {
  // One clear line (config, port in use, usage), not a stack trace.
  console.error(`corral: ${error.message}`);
  process.exit(2);
});
