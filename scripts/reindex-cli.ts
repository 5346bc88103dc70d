// Rebuilds the OpenSearch events index from MySQL (every event past draft, with its status) and
// DynamoDB (live seat counts) into a new versioned index, then switches the `events` alias to it:
// node dist/scripts/reindex-cli.js [--keep-old] [--index-prefix <prefix>]
// --index-prefix rebuilds `<prefix>events` instead (tests use it so they never touch the shared alias).
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { bookingStore } from '../booking/booking-store.js';
import { reindexEvents } from '../workers/indexer/reindex.js';

function indexPrefixArgument(argv: string[]): string | undefined {
  const index = argv.indexOf('--index-prefix');
  if (index < 0) return undefined;
  const value = argv[index + 1] ?? '';
  // OpenSearch index names: lowercase, no leading - _ +, none of \ / * ? " < > | space , #
  if (!/^[a-z0-9][a-z0-9._-]{0,100}$/.test(value)) throw new Error('--index-prefix must be lowercase letters, digits, . _ - (starting with a letter or digit)');
  return value;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const indexPrefix = indexPrefixArgument(process.argv.slice(2));
  const platform = new Platform(config, logger());
  try {
    const result = await reindexEvents({
      prisma: platform.prisma(),
      search: platform.search(),
      store: bookingStore(platform.dynamo().doc, config.DYNAMODB_TABLE_PREFIX),
      log: platform.log.child({ component: 'reindex' }),
      keepOld: process.argv.includes('--keep-old'),
      ...(indexPrefix === undefined ? {} : { indexPrefix }),
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
