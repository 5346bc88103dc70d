// The relay role: the MySQL outbox (catalog changes), the DynamoDB outbox stream (booking changes)
// and the waiting room's Redis outbox (queue state changes) to Kafka. Kafka being down does not stop
// the role: every outbox buffers, each relay retries with backoff, and /readyz names the failing
// relay and why.
import { createDynamoStreams, tableNames } from '../lib/dynamo.js';
import type { DependencyCheck } from '../lib/health.js';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { DynamoStreamRelay } from './relay/dynamo-stream-relay.js';
import { MysqlOutboxRelay } from './relay/mysql-outbox-relay.js';
import { QueueStateRelay } from './relay/queue-state-relay.js';
import { runRelayLoop, type RelayLoop } from './relay/relay-loop.js';
import { relayLagSeconds } from './relay/relay-metrics.js';

function lastPassCheck(name: string, loop: Pick<RelayLoop, 'lastError'>): DependencyCheck {
  return {
    name,
    check: async () => {
      const error = loop.lastError();
      if (error) throw new Error(`last pass failed: ${error}`);
    },
  };
}

export interface RelayRoleOptions {
  /** The waiting room's Redis key prefix; tests pass their own so they never relay each other's rooms. */
  waitingRoomKeyPrefix?: string;
}

export function startRelay(platform: Platform, options: RelayRoleOptions = {}): Promise<RunningRole> {
  const { config } = platform;
  relayLagSeconds(); // on /metrics from the start, before the first item is relayed
  const mysqlProducer = platform.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  const mysqlLog = platform.log.child({ component: 'mysql-outbox-relay' });
  const mysqlRelay = new MysqlOutboxRelay(platform.prisma(), mysqlProducer, mysqlLog);
  const mysqlLoop = runRelayLoop({ name: 'mysql-outbox-relay', producer: mysqlProducer, pass: () => mysqlRelay.relayOnce(), log: mysqlLog, idleMs: 500 });

  const dynamo = platform.dynamo().client;
  const streams = createDynamoStreams(config);
  const streamProducer = platform.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  const streamLog = platform.log.child({ component: 'dynamo-stream-relay' });
  const streamRelay = new DynamoStreamRelay({ dynamo, streams, producer: streamProducer, redis: platform.redis(), tableName: tableNames(config.DYNAMODB_TABLE_PREFIX).outbox, log: streamLog });
  const streamLoop = runRelayLoop({ name: 'dynamo-stream-relay', producer: streamProducer, pass: () => streamRelay.relayOnce(), log: streamLog });

  const queueProducer = platform.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  const queueLog = platform.log.child({ component: 'queue-state-relay' });
  const queueRelay = new QueueStateRelay({
    redis: platform.redis(),
    producer: queueProducer,
    log: queueLog,
    ...(options.waitingRoomKeyPrefix === undefined ? {} : { keyPrefix: options.waitingRoomKeyPrefix }),
  });
  const queueLoop = runRelayLoop({ name: 'queue-state-relay', producer: queueProducer, pass: () => queueRelay.relayOnce(), log: queueLog });

  return startHttpRole(platform, {
    role: 'relay',
    portVariable: 'RELAY_PORT',
    dependencies: ['dynamodb', 'mysql', 'kafka', 'redis'],
    extraChecks: [lastPassCheck('mysql-outbox-relay', mysqlLoop), lastPassCheck('dynamo-stream-relay', streamLoop), lastPassCheck('queue-state-relay', queueLoop)],
    onStop: async () => {
      await Promise.all([mysqlLoop.stop(), streamLoop.stop(), queueLoop.stop()]);
      await Promise.all([mysqlProducer.disconnect(), streamProducer.disconnect(), queueProducer.disconnect()]);
      streams.destroy();
    },
  });
}
