// Public seat-map reads: per-section availability for an event, and each seat's state for one section,
// served from the Redis seat-map cache when one is given (DynamoDB on a miss), else from DynamoDB.
// The event summary reads the cache's per-section counts, never every seat; a section reads only its own.
import type { Express } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { eventIdSchema, seatRefSchema } from '../booking/booking-keys.js';
import type { BookingStore } from '../booking/booking-store.js';
import { readEventSeats, sectionAvailability, seatState } from '../booking/seat-availability.js';
import type { SeatMapCache } from '../booking/seat-map-cache.js';

const querySchema = z.object({ section: seatRefSchema.shape.section.optional() });

export function mountSeatRoutes(app: Express, store: BookingStore, seatMap?: SeatMapCache): void {
  app.get('/api/events/:id/seats', async (req, res) => {
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
    const seats = seatMap ? await seatMap.seats(eventId.data, section) : await readEventSeats(store, eventId.data, section);
    if (seats.length === 0) throw new NotFoundError('no such section');
    res.json({
      eventId: eventId.data,
      sections: sectionAvailability(seats, now),
      seats: seats.map((seat) => ({ section: seat.section, row: seat.row, number: seat.number, priceTier: seat.priceTier, priceCents: seat.priceCents, state: seatState(seat, now) })),
    });
  });
}
