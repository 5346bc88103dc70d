// Rebuilds the events index from the sources of truth: every event past draft (with its status)
// from MySQL, live seat counts from DynamoDB. It fills a new index (`events-v<N>-<timestamp>`)
// beside the serving one and then moves the alias in one atomic step, so search never sees a
// half-built index. Documents carry the rebuild's start time as their external version: only
// messages newer than the rebuild apply.
import type { Logger } from '../../lib/log.js';
import type { PrismaClient } from '../../lib/mysql.js';
import type { SearchClient } from '../../lib/search.js';
import { aliasedIndices, availabilityOf, createEventsIndex, eventsIndexNames, INDEXED_STATUSES, type EventDocument, type IndexedStatus } from '../../search/events-index.js';
import type { BookingStore } from '../../booking/booking-store.js';
import { countReservableSeats } from './availability-refresher.js';

export interface ReindexOptions {
  prisma: PrismaClient;
  search: SearchClient;
  store: BookingStore;
  log: Logger;
  indexPrefix?: string;
  /** Keep the indices the alias pointed at before (default: delete them). */
  keepOld?: boolean;
  clock?: () => number;
}

export interface ReindexResult {
  index: string;
  documents: number;
  replaced: string[];
}

const PAGE = 200;

export async function reindexEvents(options: ReindexOptions): Promise<ReindexResult> {
  const { prisma, search, store } = options;
  const startedAtMs = (options.clock ?? Date.now)();
  const { alias, index: base } = eventsIndexNames(options.indexPrefix);
  const index = `${base}-${startedAtMs}`;
  await createEventsIndex(search, index);
  let documents = 0;
  for (let cursor: string | undefined; ; ) {
    const events = await prisma.event.findMany({
      where: { status: { in: [...INDEXED_STATUSES] } },
      include: { venue: { select: { name: true, seatCount: true } }, priceTiers: { select: { priceCents: true, currency: true } } },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (events.length === 0) break;
    const body: object[] = [];
    for (const event of events) {
      const counted = await countReservableSeats(store, event.id);
      // Seats not provisioned (yet) count as the whole house, as event.published would say.
      const seatCount = counted.seatCount > 0 ? counted.seatCount : event.venue.seatCount;
      const seatsAvailable = counted.seatCount > 0 ? counted.seatsAvailable : event.venue.seatCount;
      const prices = event.priceTiers.map((tier) => tier.priceCents);
      const document: EventDocument = {
        eventId: event.id,
        name: event.name,
        description: event.description,
        venueName: event.venue.name,
        category: event.category,
        city: event.city,
        startsAt: event.startsAt.toISOString(),
        saleOpensAt: event.saleOpensAt.toISOString(),
        minPriceCents: prices.length > 0 ? Math.min(...prices) : 0,
        maxPriceCents: prices.length > 0 ? Math.max(...prices) : 0,
        currency: event.priceTiers[0]?.currency ?? 'EUR',
        seatCount,
        seatsAvailable,
        availability: availabilityOf(seatsAvailable, seatCount),
        status: event.status as IndexedStatus,
        updatedAt: new Date(startedAtMs).toISOString(),
      };
      body.push({ index: { _index: index, _id: event.id, version: startedAtMs, version_type: 'external_gte' } }, document);
    }
    const reply = await search.bulk({ body, refresh: false });
    if (reply.body.errors) throw new Error(`bulk indexing refused some documents: ${JSON.stringify(reply.body.items.find((item) => Object.values(item)[0]?.error))}`);
    documents += events.length;
    cursor = events.at(-1)!.id;
    options.log.info({ index, documents }, 'reindexed a page of events');
  }
  await search.indices.refresh({ index });
  const replaced = await aliasedIndices(search, options.indexPrefix);
  await search.indices.updateAliases({
    body: { actions: [...replaced.map((old) => ({ remove: { index: old, alias } })), { add: { index, alias } }] },
  });
  if (!options.keepOld && replaced.length > 0) await search.indices.delete({ index: replaced });
  return { index, documents, replaced };
}
