// The relay role: DynamoDB Streams and the MySQL outbox to Kafka (catalog issue).
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startRelay(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, { role: 'relay', portVariable: 'RELAY_PORT', dependencies: ['dynamodb', 'mysql', 'kafka'] });
}
