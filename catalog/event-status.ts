// The lifecycle of a catalog event: draft → published → on_sale → sold_out, and published, on_sale
// or sold_out → ended once it starts. The order only moves forward, so every change is a conditional
// update from the statuses it may come from, committed with its `event.updated` outbox row: a
// repeated or late trigger (a redelivered Kafka message, two sweepers) matches no row and says nothing.
import type { Prisma } from '../lib/generated/prisma/client.js';
import type { PrismaClient } from '../lib/mysql.js';
import { writeEventMessage } from './event-messages.js';
import type { EventStatus } from './event-statuses.js';

export interface StatusChange {
  eventId: string;
  from: readonly EventStatus[];
  to: EventStatus;
  /** Further conditions the row must still meet when it is locked (the sweep's "has started"). */
  where?: Prisma.EventWhereInput;
}

/**
 * Moves one event to `to` if it is still in one of `from` (and meets `where`), writing its
 * `event.updated` in the same transaction. False when no row matched: nothing was written.
 */
export async function changeEventStatus(prisma: PrismaClient, change: StatusChange, clock: () => Date): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const changed = await tx.event.updateMany({
      where: { ...change.where, id: change.eventId, status: { in: [...change.from] } },
      data: { status: change.to },
    });
    if (changed.count === 0) return false;
    await writeEventMessage(tx, 'event.updated', change.eventId, clock);
    return true;
  });
}
