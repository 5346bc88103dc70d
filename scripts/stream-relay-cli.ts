// Runs only the DynamoDB outbox stream relay (no HTTP, no MySQL relay) for DYNAMODB_TABLE_PREFIX,
// until SIGINT/SIGTERM: for draining one stream by hand, and for the relay kill test, which
// SIGKILLs it mid-stream. node dist/scripts/stream-relay-cli.js [--batch <records per read>]
import { loadConfig } from '../lib/config.js';
import { createDynamo, createDynamoStreams, tableNames } from '../lib/dynamo.js';
import { createKafka } from '../lib/kafka.js';
import { logger } from '../lib/log.js';
import { createRedis } from '../lib/redis.js';
import { DynamoStreamRelay } from '../workers/relay/dynamo-stream-relay.js';
import { runRelayLoop } from '../workers/relay/relay-loop.js';

function batchArgument(argv: string[]): number | undefined {
  const index = argv.indexOf('--batch');
  if (index < 0) return undefined;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 1_000) throw new Error('--batch must be an integer from 1 to 1000');
  return value;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = logger().child({ component: 'dynamo-stream-relay' });
  const { client: dynamo } = createDynamo(config);
  const streams = createDynamoStreams(config);
  const redis = createRedis(config);
  const producer = createKafka(config, log).producer({ idempotent: true, maxInFlightRequests: 1 });
  const batchLimit = batchArgument(process.argv.slice(2));
  const relay = new DynamoStreamRelay({ dynamo, streams, producer, redis, tableName: tableNames(config.DYNAMODB_TABLE_PREFIX).outbox, log, ...(batchLimit ? { batchLimit } : {}) });
  const loop = runRelayLoop({ name: 'dynamo-stream-relay', producer, pass: () => relay.relayOnce(), log });
  const stop = async () => {
    await loop.stop();
    await producer.disconnect();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Forked by a test: if the parent dies, do not linger as an orphan.
  process.on('disconnect', () => void stop());
}

main().catch((error: Error) => {
  console.error(`stream-relay: ${error.message}`);
  process.exit(2);
});
