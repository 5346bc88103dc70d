// The event's known seat partitions: one item per section listing its row-block partitions, written
// at provisioning before any seat (a union, so re-runs and concurrent provisioning only add). It is
// what event-wide reads (seat-map fill, audit, recounts, the sold-out check) fan out over, so no read
// needs a key shared by the whole event. Written once per section, read only on cold paths.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SEAT_PARTITIONS_SK_PREFIX, seatPartitionOf, seatPartitionPk, seatPartitionsKey, seatPartitionsPk, sectionOfPartition } from './booking-keys.js';
import { queryByPrefix, queryPartitions, type BookingStore, type PrefixQueryOptions } from './booking-store.js';

interface SeatPartitionsItem {
  sk: string;
  partitions?: Set<string>;
}

/** Adds the partitions of these seats to their sections' items. */
export async function recordSeatPartitions(store: BookingStore, eventId: string, seatKeys: Iterable<string>): Promise<void> {
  const bySection = new Map<string, Set<string>>();
  for (const sk of seatKeys) {
    const partition = seatPartitionOf(sk);
    const section = sectionOfPartition(partition);
    bySection.set(section, (bySection.get(section) ?? new Set()).add(partition));
  }
  for (const [section, partitions] of bySection) {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tables.inventory,
        Key: seatPartitionsKey(eventId, section),
        UpdateExpression: 'ADD #partitions :partitions',
        ExpressionAttributeNames: { '#partitions': 'partitions' },
        ExpressionAttributeValues: { ':partitions': partitions },
      }),
    );
  }
}

/** The event's seat partitions, sorted; of one section only when `section` is given. */
export async function readSeatPartitions(store: BookingStore, eventId: string, section?: string): Promise<string[]> {
  if (section !== undefined) {
    const reply = await store.doc.send(new GetCommand({ TableName: store.tables.inventory, Key: seatPartitionsKey(eventId, section) }));
    return [...((reply.Item as SeatPartitionsItem | undefined)?.partitions ?? [])].sort();
  }
  const items = await queryByPrefix<SeatPartitionsItem>(store, seatPartitionsPk(eventId), SEAT_PARTITIONS_SK_PREFIX);
  return items.flatMap((item) => [...(item.partitions ?? [])]).sort();
}

/** Items of every seat partition of the event (or of one section) whose sort key has `skPrefix`. */
export async function querySeatPartitions<T>(store: BookingStore, eventId: string, skPrefix: string, options: PrefixQueryOptions & { section?: string } = {}): Promise<T[]> {
  const { section, ...queryOptions } = options;
  const partitions = await readSeatPartitions(store, eventId, section);
  return queryPartitions<T>(store, partitions.map((partition) => seatPartitionPk(eventId, partition)), skPrefix, queryOptions);
}
