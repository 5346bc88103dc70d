// Keeps the `events` index current from Kafka. Each message is applied as an upsert whose external
// version is the message time, so a redelivered message is a no-op and an older message never
// overwrites a newer one: duplicates from the at-least-once relay need no separate dedup table.
import type { Consumer } from 'kafkajs';
import { z } from 'zod';
import type { Logger } from '../../lib/log.js';
import type { SearchClient } from '../../lib/search.js';
import { availabilityOf, eventsIndexNames, type EventDocument } from '../../search/events-index.js';

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
  }),
});

export const INDEXED_TOPICS = ['event.published', 'event.updated'] as const;

export class EventIndexer {
  constructor(
    private readonly search: SearchClient,
    private readonly log: Logger,
    private readonly indexPrefix = '',
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
      updatedAt: parsed.time,
    };
    try {
      await this.search.index({
        index: eventsIndexNames(this.indexPrefix).index,
        id: parsed.eventId,
        body: document,
        version: Date.parse(parsed.time),
        version_type: 'external_gte',
        refresh: false,
      });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
      throw error;
    }
  }

  async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: [...INDEXED_TOPICS], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) await this.apply(message.value.toString());
      },
    });
  }
}
