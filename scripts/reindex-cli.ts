// Rebuilds the OpenSearch events index from MySQL (published events) and DynamoDB (live seat
// counts) into a new versioned index, then switches the `events` alias to it:
// node dist/scripts/reindex-cli.js [--keep-old]
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { bookingStore } from '../workers/booking/booking-store.js';
import { reindexEvents } from '../workers/indexer/reindex.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = new Platform(config, logger());
  try {
    const result = await reindexEvents({
      prisma: platform.prisma(),
      search: platform.search(),
      store: bookingStore(platform.dynamo().doc, config.DYNAMODB_TABLE_PREFIX),
      log: platform.log.child({ component: 'reindex' }),
      keepOld: process.argv.includes('--keep-old'),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await platform.close();
  }
}

main().catch((error: Error) => {
  console.error(`reindex: ${error.message}`);
  process.exit(2);
});
