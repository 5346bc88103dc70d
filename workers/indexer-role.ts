// The indexer role: Kafka to the OpenSearch `events` index. event.published / event.updated are
// upserted; booking messages (holds, confirmations, releases) trigger a recount of the event's
// reservable seats in DynamoDB, so search shows live availability (sold out, few left).
// Kafka or OpenSearch not ready at start (a broker still loading its partitions) does not stop
// the role: it keeps trying with bounded backoff and /readyz says why it is not consuming yet.
import type { Platform } from '../lib/platform.js';
import { sleep } from '../lib/retry.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { ensureEventsIndex } from '../search/events-index.js';
import { bookingStore } from './booking/booking-store.js';
import { AvailabilityRefresher } from './indexer/availability-refresher.js';
import { EventIndexer } from './indexer/event-indexer.js';

export async function startIndexer(platform: Platform): Promise<RunningRole> {
  const log = platform.log.child({ component: 'event-indexer' });
  const availability = new AvailabilityRefresher({ store: bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX), search: platform.search(), log });
  const consumer = platform.kafka().consumer({ groupId: 'corral-indexer' });
  let notConsuming: string | undefined = 'starting';
  let stopped = false;
  consumer.on(consumer.events.CRASH, (event) => {
    notConsuming = `consumer crashed: ${event.payload.error.message}`;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    notConsuming = undefined;
  });
  const starting = (async () => {
    for (let attempt = 0; !stopped; attempt += 1) {
      try {
        await ensureEventsIndex(platform.search());
        await consumer.connect();
        await new EventIndexer(platform.search(), log, '', availability).run(consumer);
        return;
      } catch (error) {
        notConsuming = (error as Error).message;
        const retryInMs = Math.min(500 * 2 ** attempt, 10_000);
        log.warn({ err: error, retryInMs }, 'indexer could not start consuming yet');
        await sleep(retryInMs);
      }
    }
  })();
  return startHttpRole(platform, {
    role: 'indexer',
    portVariable: 'INDEXER_PORT',
    dependencies: ['kafka', 'opensearch', 'dynamodb'],
    extraChecks: [
      {
        name: 'event-indexer',
        check: async () => {
          if (notConsuming) throw new Error(notConsuming);
        },
      },
    ],
    onStop: async () => {
      stopped = true;
      await starting;
      await consumer.disconnect();
      await availability.close();
    },
  });
}
