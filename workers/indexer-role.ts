// The indexer role: Kafka to the OpenSearch `events` index. event.published / event.updated are
// upserted; booking messages (holds, confirmations, releases) trigger a recount of the event's
// reservable seats in DynamoDB, so search shows live availability (sold out, few left).
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { ensureEventsIndex } from '../search/events-index.js';
import { bookingStore } from './booking/booking-store.js';
import { AvailabilityRefresher } from './indexer/availability-refresher.js';
import { EventIndexer } from './indexer/event-indexer.js';

export async function startIndexer(platform: Platform): Promise<RunningRole> {
  const log = platform.log.child({ component: 'event-indexer' });
  await ensureEventsIndex(platform.search());
  const availability = new AvailabilityRefresher({ store: bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX), search: platform.search(), log });
  const consumer = platform.kafka().consumer({ groupId: 'corral-indexer' });
  await consumer.connect();
  await new EventIndexer(platform.search(), log, '', availability).run(consumer);
  return startHttpRole(platform, {
    role: 'indexer',
    portVariable: 'INDEXER_PORT',
    dependencies: ['kafka', 'opensearch', 'dynamodb'],
    onStop: async () => {
      await consumer.disconnect();
      await availability.close();
    },
  });
}
