// A process that only consumes the booking queues, with no HTTP server: what the killed-worker race
// forks (and SIGKILLs), and what the reservation benchmark runs several of. Tells its parent
// "ready" over IPC once consuming; SIGTERM closes it cleanly. With CORRAL_CAPACITY_METER=1 it meters
// the DynamoDB requests it sends (lib/dynamo-capacity.ts) and answers `capacity-cells` with them.
import { loadConfig } from '../lib/config.js';
import { corralHashKeys, RequestMeter } from '../lib/dynamo-capacity.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { loadBookingConfig } from '../booking/booking-config.js';
import { startBookingRuntime } from './booking-runtime.js';

async function main(): Promise<void> {
  const log = logger();
  const config = loadConfig();
  const platform = new Platform(config, log);
  if (process.env.CORRAL_CAPACITY_METER === '1') {
    const meter = new RequestMeter(corralHashKeys(config.DYNAMODB_TABLE_PREFIX));
    meter.install(platform.dynamo().client);
    process.on('message', (message) => {
      if (message === 'capacity-cells') process.send?.({ capacityCells: meter.cells() });
    });
  }
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
