// Keeps the `events` index current from Kafka. Each event.* message is applied as an upsert whose
// external version is the message time, so a redelivered message is a no-op and an older message
// never overwrites a newer one: duplicates from the at-least-once relay need no separate dedup
// table. A `seat.changed` message only names the event whose availability changed; the refresher
// recounts it.
import type { Consumer } from 'kafkajs';
import { z } from 'zod';
import { Histogram } from 'prom-client';
import type { Logger } from '../../lib/log.js';
import { metricsRegistry } from '../../lib/metrics.js';
import type { SearchClient } from '../../lib/search.js';
import type { AvailabilityRefresher } from './availability-refresher.js';
import { availabilityOf, eventsIndexNames, INDEXED_STATUSES, type EventDocument } from '../../search/events-index.js';

const eventPublishedSchema = z.object({
  id: z.string(),
  type: z.enum(['event.published', 'event.updated']),
  version: z.literal(1),
  time: z.iso.datetime({ offset: true }),
  eventId: z.string(),
  data: z.object({
    name: z.string(),
    description: z.string(),
    category: z.string(),
    city: z.string(),
    venueName: z.string(),
    startsAt: z.string(),
    saleOpensAt: z.string(),
    seatCount: z.number().int(),
    seatsAvailable: z.number().int().optional(),
    minPriceCents: z.number().int(),
    maxPriceCents: z.number().int(),
    currency: z.string(),
    // Messages written before the lifecycle existed carry no status: they were all published.
    status: z.enum(INDEXED_STATUSES).default('published'),
  }),
});

export const INDEXED_TOPICS = ['event.published', 'event.updated'] as const;
/** The relay derives one `seat.changed` from every booking change that moved seats (holds, expiries,
 * releases, confirmations); its `eventId` is enough to recount that event's seats. */
export const AVAILABILITY_TOPICS = ['seat.changed'] as const;

const availabilityMessageSchema = z.object({ eventId: z.string().min(1).max(128) });

let indexerLag: Histogram<'topic'> | undefined;

/** From Kafka's message timestamp (the relay's produce) to the indexer having applied it, per topic. */
export function indexerLagSeconds(): Histogram<'topic'> {
  indexerLag ??= new Histogram({
    name: 'corral_indexer_lag_seconds',
    help: "From a message's Kafka timestamp to the search indexer having applied it, per topic",
    labelNames: ['topic'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [metricsRegistry()],
  });
  return indexerLag;
}

export class EventIndexer {
  constructor(
    private readonly search: SearchClient,
    private readonly log: Logger,
    private readonly indexPrefix = '',
    private readonly availability?: AvailabilityRefresher,
  ) {}

  /** Applies one message; returns false for a message it skipped (malformed, or not newer). */
  async apply(raw: string): Promise<boolean> {
    let parsed: z.infer<typeof eventPublishedSchema>;
    try {
      parsed = eventPublishedSchema.parse(JSON.parse(raw));
    } catch (error) {
      // A poison message must not stall the partition: log it and move on.
      this.log.warn({ err: error }, 'skipping malformed search message');
      return false;
    }
    const { data } = parsed;
    const seatsAvailable = data.seatsAvailable ?? data.seatCount;
    const document: EventDocument = {
      eventId: parsed.eventId,
      name: data.name,
      description: data.description,
      venueName: data.venueName,
      category: data.category,
      city: data.city,
      startsAt: data.startsAt,
      saleOpensAt: data.saleOpensAt,
      minPriceCents: data.minPriceCents,
      maxPriceCents: data.maxPriceCents,
      currency: data.currency,
      seatCount: data.seatCount,
      seatsAvailable,
      availability: availabilityOf(seatsAvailable, data.seatCount),
      status: data.status,
      updatedAt: parsed.time,
    };
    try {
      await this.search.index({
        // Through the alias: a reindex switches it to a new index, and writes follow.
        index: eventsIndexNames(this.indexPrefix).alias,
        id: parsed.eventId,
        body: document,
        version: Date.parse(parsed.time),
        version_type: 'external_gte',
        refresh: false,
      });
      // An update without a count (or a publish racing early holds) gets the live count.
      this.availability?.schedule(parsed.eventId);
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
      throw error;
    }
  }

  /** A booking message: schedules a recount of its event; false when it names none. */
  applyAvailability(raw: string): boolean {
    let parsed: z.infer<typeof availabilityMessageSchema>;
    try {
      parsed = availabilityMessageSchema.parse(JSON.parse(raw));
    } catch (error) {
      this.log.warn({ err: error }, 'skipping malformed availability message');
      return false;
    }
    this.availability?.schedule(parsed.eventId);
    return true;
  }

  async run(consumer: Consumer): Promise<void> {
    const topics: string[] = [...INDEXED_TOPICS, ...(this.availability ? AVAILABILITY_TOPICS : [])];
    await consumer.subscribe({ topics, fromBeginning: true });
    const lag = indexerLagSeconds();
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        if ((INDEXED_TOPICS as readonly string[]).includes(topic)) await this.apply(message.value.toString());
        else this.applyAvailability(message.value.toString());
        const producedAt = Number(message.timestamp);
        if (Number.isFinite(producedAt)) lag.observe({ topic }, Math.max(0, Date.now() - producedAt) / 1000);
      },
    });
  }
}
