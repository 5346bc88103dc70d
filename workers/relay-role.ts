// The relay role: the MySQL outbox (catalog changes) to Kafka today; the DynamoDB outbox stream
// joins it with the booking pipeline. Kafka being down does not stop the role: the outbox buffers,
// the relay retries with backoff, and /readyz names the failure.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { MysqlOutboxRelay } from './relay/mysql-outbox-relay.js';

export function startRelay(platform: Platform): Promise<RunningRole> {
  const producer = platform.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  const relay = new MysqlOutboxRelay(platform.prisma(), producer, platform.log.child({ component: 'mysql-outbox-relay' }));
  const running = relay.run();
  return startHttpRole(platform, {
    role: 'relay',
    portVariable: 'RELAY_PORT',
    dependencies: ['dynamodb', 'mysql', 'kafka'],
    extraChecks: [
      {
        name: 'mysql-outbox-relay',
        check: async () => {
          const error = running.lastError();
          if (error) throw new Error(`last pass failed: ${error}`);
        },
      },
    ],
    onStop: async () => {
      await running.stop();
      await producer.disconnect();
    },
  });
}
