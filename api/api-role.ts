// The api role: Express REST for catalog, seats, reservations and checkout. Routes arrive with
// their issues; today it serves the platform endpoints and its dependency readiness.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startApi(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, {
    role: 'api',
    portVariable: 'API_PORT',
    dependencies: ['redis', 'dynamodb', 'mysql', 'opensearch'],
  });
}
