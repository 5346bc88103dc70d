// Public seat-map reads: per-section availability for an event, and each seat's state for one section,
// served from the Redis seat-map cache when one is given (DynamoDB on a miss), else from DynamoDB.
import type { Express } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { eventIdSchema, seatRefSchema } from '../workers/booking/booking-keys.js';
import type { BookingStore } from '../workers/booking/booking-store.js';
import { readEventSeats, sectionAvailability, seatState } from '../workers/booking/seat-availability.js';
import type { SeatMapCache } from '../workers/booking/seat-map-cache.js';

const querySchema = z.object({ section: seatRefSchema.shape.section.optional() });

export function mountSeatRoutes(app: Express, store: BookingStore, seatMap?: SeatMapCache): void {
  app.get('/api/events/:id/seats', async (req, res) => {
    const eventId = eventIdSchema.safeParse(req.params.id);
    const query = querySchema.safeParse(req.query);
    if (!eventId.success || !query.success) throw new ValidationError('invalid event id or section');
    const seats = seatMap ? await seatMap.seats(eventId.data, query.data.section) : await readEventSeats(store, eventId.data, query.data.section);
    if (seats.length === 0) throw new NotFoundError(query.data.section ? 'no such section' : 'no seats for this event');
    const now = store.clock();
    res.json({
      eventId: eventId.data,
      sections: sectionAvailability(seats, now),
      ...(query.data.section
        ? { seats: seats.map((seat) => ({ section: seat.section, row: seat.row, number: seat.number, priceTier: seat.priceTier, priceCents: seat.priceCents, state: seatState(seat, now) })) }
        : {}),
    });
  });
}
