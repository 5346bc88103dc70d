// The worker role: BullMQ consumers of the booking partition queues (reserve, expire). It serves
// health, readiness and metrics on its own port so Kubernetes can probe it.
import type { Platform } from '../lib/platform.js';
import { createBlockingRedis } from '../lib/redis.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { loadBookingConfig } from './booking/booking-config.js';
import { BookingQueues } from './booking/booking-queues.js';
import { bookingStore } from './booking/booking-store.js';
import { startBookingWorkers } from './booking/booking-workers.js';

export async function startWorker(platform: Platform): Promise<RunningRole> {
  const bookingConfig = loadBookingConfig();
  const connection = createBlockingRedis(platform.config.REDIS_URL);
  const keyPrefix = bookingConfig.BOOKING_KEY_PREFIX;
  const queues = new BookingQueues({ connection: platform.redis(), keyPrefix, partitions: bookingConfig.BOOKING_PARTITIONS });
  const workers = startBookingWorkers({
    store: bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX),
    redis: platform.redis(),
    connection,
    queues,
    keyPrefix,
    partitions: bookingConfig.BOOKING_PARTITIONS,
    concurrency: bookingConfig.BOOKING_WORKER_CONCURRENCY,
    log: platform.log.child({ component: 'booking-workers' }),
  });
  return startHttpRole(platform, {
    role: 'worker',
    portVariable: 'WORKER_PORT',
    dependencies: ['redis', 'dynamodb'],
    onStop: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.close();
      connection.disconnect();
    },
  });
}
