// Public seat-map reads: per-section availability for an event, and each seat's state for one section,
// served from the Redis seat-map cache when one is given (DynamoDB on a miss), else from DynamoDB.
// The event summary reads the cache's per-section counts, never every seat; a section reads only its own.
// A section's page is big (every seat) and read by a storm at once: concurrent reads of one section
// share one read and one JSON rendering (lib/read-coalescer.ts: never one begun before the request),
// and one section's reads start at least SECTION_READ_INTERVAL_MS apart, so a storm of seat-map
// readers takes a bounded share of the api's time from the hold requests beside it.
import type { Express } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { eventIdSchema, seatRefSchema } from '../booking/booking-keys.js';
import type { BookingStore } from '../booking/booking-store.js';
import { readEventSeats, sectionAvailability, seatState } from '../booking/seat-availability.js';
import type { SeatMapCache } from '../booking/seat-map-cache.js';
import { ReadCoalescer } from '../lib/read-coalescer.js';
import { quietRequestLog } from '../lib/request-log.js';

const querySchema = z.object({ section: seatRefSchema.shape.section.optional() });

/**
 * Spacing between the start of one section's reads (ReadCoalescer minIntervalMs). Off: concurrent
 * readers already share one read and one rendering, and a spacing adds up to its own length to every
 * reader's wait, which at 200 ms would put a hot section's p99 over the 100 ms seat-map promise. The
 * reservation benchmark's "after" row measured 200 ms; see loadtests/README.md.
 */
export const SECTION_READ_INTERVAL_MS = 0;

export function mountSeatRoutes(app: Express, store: BookingStore, seatMap?: SeatMapCache): void {
  const sectionPages = new ReadCoalescer<string>({ minIntervalMs: SECTION_READ_INTERVAL_MS });
  const sectionPage = async (eventId: string, section: string): Promise<string> => {
    const seats = seatMap ? await seatMap.seats(eventId, section) : await readEventSeats(store, eventId, section);
    if (seats.length === 0) throw new NotFoundError('no such section');
    const now = store.clock();
    return JSON.stringify({
      eventId,
      sections: sectionAvailability(seats, now),
      seats: seats.map((seat) => ({ section: seat.section, row: seat.row, number: seat.number, priceTier: seat.priceTier, priceCents: seat.priceCents, state: seatState(seat, now) })),
    });
  };
  app.get('/api/events/:id/seats', quietRequestLog, async (req, res) => {
    const eventId = eventIdSchema.safeParse(req.params.id);
    const query = querySchema.safeParse(req.query);
    if (!eventId.success || !query.success) throw new ValidationError('invalid event id or section');
    const section = query.data.section;
    const now = store.clock();
    if (section === undefined) {
      const sections = seatMap ? await seatMap.sectionAvailability(eventId.data, now) : sectionAvailability(await readEventSeats(store, eventId.data), now);
      if (sections.length === 0) throw new NotFoundError('no seats for this event');
      res.json({ eventId: eventId.data, sections });
      return;
    }
    const page = await sectionPages.get(JSON.stringify([eventId.data, section]), () => sectionPage(eventId.data, section));
    res.type('application/json').send(page);
  });
}
