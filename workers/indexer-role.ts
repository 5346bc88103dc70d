// The indexer role: Kafka (event.published / event.updated) to the OpenSearch `events` index.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { ensureEventsIndex } from '../search/events-index.js';
import { EventIndexer } from './indexer/event-indexer.js';

export async function startIndexer(platform: Platform): Promise<RunningRole> {
  const log = platform.log.child({ component: 'event-indexer' });
  await ensureEventsIndex(platform.search());
  const consumer = platform.kafka().consumer({ groupId: 'corral-indexer' });
  await consumer.connect();
  await new EventIndexer(platform.search(), log).run(consumer);
  return startHttpRole(platform, {
    role: 'indexer',
    portVariable: 'INDEXER_PORT',
    dependencies: ['kafka', 'opensearch'],
    onStop: () => consumer.disconnect(),
  });
}
