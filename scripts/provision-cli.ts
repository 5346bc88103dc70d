// `npm run provision`: what a deployment needs before its roles start, each step idempotent:
// MySQL migrations, the Kafka topics and (unless --skip-tables, as in AWS where Terraform owns them)
// the DynamoDB tables. The Helm chart runs it as a pre-install/pre-upgrade hook.
//   node dist/scripts/provision-cli.js [--skip-tables] [--topic-partitions=N] [--topic-replication-factor=N]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../lib/config.js';
import { createDynamo, ensureTables } from '../lib/dynamo.js';
import { createKafka, ensureTopics } from '../lib/kafka.js';
import { logger } from '../lib/log.js';
import { applyMigrations } from '../lib/migrate.js';
import { withRetry } from '../lib/retry.js';
import { repoRoot } from './stack/stack-config.js';

const USAGE = 'usage: provision-cli [--skip-tables] [--topic-partitions=N] [--topic-replication-factor=N]';

const optionsSchema = z.object({
  'skip-tables': z.boolean().default(false),
  'topic-partitions': z.coerce.number().int().min(1).max(1000).default(3),
  'topic-replication-factor': z.coerce.number().int().min(1).max(10).default(1),
});

export class UsageError extends Error {}

export function parseProvisionArgs(argv: string[]): z.infer<typeof optionsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'skip-tables': { type: 'boolean' }, 'topic-partitions': { type: 'string' }, 'topic-replication-factor': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message}\n${USAGE}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  const options = parseProvisionArgs(process.argv.slice(2));
  const config = loadConfig();
  const log = logger();
  if (!options['skip-tables']) {
    const { client } = createDynamo(config);
    try {
      const created = await ensureTables(client, config.DYNAMODB_TABLE_PREFIX);
      console.log(created.length > 0 ? `created DynamoDB tables: ${created.join(', ')}` : 'DynamoDB tables already exist');
    } finally {
      client.destroy();
    }
  }
  // A broker still loading its partitions refuses at first: a few bounded retries.
  await withRetry(() => ensureTopics(createKafka(config, log.child({ component: 'kafka' })), options['topic-partitions'], options['topic-replication-factor']), {
    attempts: 6,
    baseDelayMs: 500,
    maxDelayMs: 5_000,
    isRetryable: () => true,
  });
  console.log('Kafka topics present');
  const migrations = await applyMigrations(config.DATABASE_URL, path.join(repoRoot, 'prisma', 'migrations'));
  console.log(`applied ${migrations.applied.length} migration(s); ${migrations.alreadyApplied.length} already applied`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: Error) => {
    console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : `provision: ${error.message}`);
    process.exit(2);
  });
}
