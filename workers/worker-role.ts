// The worker role: BullMQ consumers of the booking partition and headline queues (reserve, expire).
// It serves health, readiness and metrics (queue depth, reservation latency) on its own port so
// Kubernetes can probe it and KEDA can scale it.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { loadBookingConfig } from '../booking/booking-config.js';
import { startBookingRuntime } from './booking-runtime.js';

export async function startWorker(platform: Platform): Promise<RunningRole> {
  const runtime = startBookingRuntime(platform, loadBookingConfig());
  return startHttpRole(platform, {
    role: 'worker',
    portVariable: 'WORKER_PORT',
    dependencies: ['redis', 'dynamodb'],
    onStop: () => runtime.close(),
  });
}
