// The worker role: BullMQ consumers for reserve, confirm, release and expire (booking issue).
// It serves health, readiness and metrics on its own port so Kubernetes can probe it.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startWorker(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, { role: 'worker', portVariable: 'WORKER_PORT', dependencies: ['redis', 'dynamodb'] });
}
