// The indexer role: Kafka to the OpenSearch `events` index, and the catalog's event lifecycle.
// event.published / event.updated are upserted; booking messages trigger a recount of the event's
// reservable seats (from the Redis seat-map counts), so search shows live availability (sold out, few left). Waiting-room
// state changes move events on sale / sold out in MySQL, and a sweep moves started events to ended
// (each change writes event.updated, which comes back here through the relay).
// Kafka, MySQL or OpenSearch not ready at start (a broker still loading its partitions) does not
// stop the role: each consumer keeps trying with capped backoff and /readyz says why it is not
// consuming yet.
import { runEndSweep } from '../catalog/event-end-sweep.js';
import { EVENT_STATUS_SYNC_GROUP, EventStatusSync } from '../catalog/event-status-sync.js';
import { keepConsuming } from '../lib/kafka-consumer-loop.js';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { ensureEventsIndex } from '../search/events-index.js';
import { bookingStore } from '../booking/booking-store.js';
import { loadBookingConfig } from '../booking/booking-config.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { AvailabilityRefresher } from './indexer/availability-refresher.js';
import { EventIndexer, indexerLagSeconds } from './indexer/event-indexer.js';

export async function startIndexer(platform: Platform): Promise<RunningRole> {
  const log = platform.log.child({ component: 'event-indexer' });
  indexerLagSeconds(); // on /metrics from the start, before the first message
  const store = bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX);
  // Availability counts come from the seat-map cache the api and workers keep (availability-refresher.ts).
  const seatMap = SeatMapCache.configured(platform.redis(), store, loadBookingConfig(), log);
  const availability = new AvailabilityRefresher({ store, seatMap, search: platform.search(), log });
  const indexerConsumer = platform.kafka().consumer({ groupId: 'corral-indexer' });
  const indexer = keepConsuming('event-indexer', indexerConsumer, log, async () => {
    await ensureEventsIndex(platform.search());
    await new EventIndexer(platform.search(), log, '', availability).run(indexerConsumer);
  });
  const statusLog = platform.log.child({ component: 'event-status-sync' });
  const statusConsumer = platform.kafka().consumer({ groupId: EVENT_STATUS_SYNC_GROUP });
  const statusSync = keepConsuming('event-status-sync', statusConsumer, statusLog, () => new EventStatusSync({ prisma: platform.prisma(), log: statusLog }).run(statusConsumer));
  const sweep = runEndSweep({ prisma: platform.prisma(), log: platform.log.child({ component: 'event-end-sweep' }) });
  return startHttpRole(platform, {
    role: 'indexer',
    portVariable: 'INDEXER_PORT',
    dependencies: ['kafka', 'opensearch', 'dynamodb', 'mysql', 'redis'],
    extraChecks: [
      indexer.check,
      statusSync.check,
      {
        name: 'event-end-sweep',
        check: async () => {
          const error = sweep.lastError();
          if (error) throw new Error(`last pass failed: ${error}`);
        },
      },
    ],
    onStop: async () => {
      await Promise.all([indexer.stop(), statusSync.stop(), sweep.stop()]);
      await availability.close();
    },
  });
}
