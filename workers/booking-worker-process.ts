// A process that only consumes the booking queues, with no HTTP server: what the killed-worker race
// forks (and SIGKILLs), and what the reservation benchmark runs several of. Tells its parent
// "ready" over IPC once consuming; SIGTERM closes it cleanly.
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { loadBookingConfig } from '../booking/booking-config.js';
import { startBookingRuntime } from './booking-runtime.js';

async function main(): Promise<void> {
  const log = logger();
  const platform = new Platform(loadConfig(), log);
  const runtime = startBookingRuntime(platform, loadBookingConfig());
  await runtime.ready();
  process.send?.('ready');
  // Forked by a test or benchmark: if the parent dies (even by SIGKILL), do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    void runtime
      .close()
      .then(() => platform.close())
      .finally(() => process.exit(0));
  });
}

main().catch((error: Error) => {
  console.error(`booking worker: ${error.message}`);
  process.exit(2);
});
