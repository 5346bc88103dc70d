// What a fresh stack needs before the roles start: DynamoDB tables, Kafka topics, MySQL schema.
// Every step is idempotent, so it runs on every `npm start` and test run.
import path from 'node:path';
import type { Config } from '../../lib/config.js';
import { createDynamo, ensureTables } from '../../lib/dynamo.js';
import { createKafka, ensureTopics } from '../../lib/kafka.js';
import type { Logger } from '../../lib/log.js';
import { withRetry } from '../../lib/retry.js';
import { applyMigrations } from '../../lib/migrate.js';
import { repoRoot } from './stack-config.js';

export async function provision(config: Config, log: Logger): Promise<void> {
  const { client } = createDynamo(config);
  try {
    const created = await ensureTables(client, config.DYNAMODB_TABLE_PREFIX);
    if (created.length > 0) log.info({ tables: created }, 'created DynamoDB tables');
  } finally {
    client.destroy();
  }
  // A broker that has just started may still be loading partitions ("does not host this
  // topic-partition"): retry a few times before giving up.
  await withRetry(() => ensureTopics(createKafka(config, log.child({ component: 'kafka' }))), {
    attempts: 6,
    baseDelayMs: 500,
    maxDelayMs: 5_000,
    isRetryable: () => true,
  });
  const migrations = await applyMigrations(config.DATABASE_URL, path.join(repoRoot, 'prisma', 'migrations'));
  if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'applied MySQL migrations');
}
