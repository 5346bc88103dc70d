// The catalog's Kafka messages about an event, `event.published` and `event.updated`
// (docs/events.md), written to the MySQL outbox inside the transaction that changed the event.
// The data is read back from the row after the change, whose lock that transaction holds, so the
// message with the later `time` always describes the later state (the indexer orders by `time`).
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../lib/generated/prisma/client.js';
import type { EventStatus } from './event-statuses.js';

export type EventMessageType = 'event.published' | 'event.updated';

/** The `data` of `event.published` and `event.updated` (version 1). */
export interface EventMessageData {
  name: string;
  description: string;
  category: string;
  city: string;
  venueName: string;
  startsAt: string;
  saleOpensAt: string;
  seatCount: number;
  minPriceCents: number;
  maxPriceCents: number;
  currency: string;
  status: EventStatus;
}

/** Writes the message to the outbox and returns its id; call it after the change, in its transaction. */
export async function writeEventMessage(tx: Prisma.TransactionClient, type: EventMessageType, eventId: string, clock: () => Date): Promise<string> {
  const event = await tx.event.findUniqueOrThrow({
    where: { id: eventId },
    include: { venue: { select: { name: true, seatCount: true } }, priceTiers: { select: { priceCents: true, currency: true }, orderBy: { code: 'asc' } } },
  });
  const prices = event.priceTiers.map((tier) => tier.priceCents);
  const data: EventMessageData = {
    name: event.name,
    description: event.description,
    category: event.category,
    city: event.city,
    venueName: event.venue.name,
    startsAt: event.startsAt.toISOString(),
    saleOpensAt: event.saleOpensAt.toISOString(),
    seatCount: event.venue.seatCount,
    minPriceCents: prices.length > 0 ? Math.min(...prices) : 0,
    maxPriceCents: prices.length > 0 ? Math.max(...prices) : 0,
    currency: event.priceTiers[0]?.currency ?? 'EUR',
    status: event.status as EventStatus,
  };
  const id = randomUUID();
  await tx.outboxMessage.create({
    data: { id, topic: type, messageKey: eventId, payload: { id, type, version: 1, time: clock().toISOString(), eventId, data: { ...data } } },
  });
  return id;
}
