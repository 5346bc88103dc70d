// What every booking step needs from the platform: the document client, the table names, the key
// layout and a clock, and the paginated reads of the inventory table: one partition by sort-key
// prefix, or many partitions at once (an event's reads fan out over its partitions, decision 0010).
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from '../lib/dynamo.js';
import { inventoryKeys, type InventoryKeys } from './booking-keys.js';

export interface BookingStore {
  doc: DynamoDBDocumentClient;
  tables: ReturnType<typeof tableNames>;
  clock: () => number;
  /** Where items live; always `inventoryKeys` except in the capacity model's comparison. */
  keys: InventoryKeys;
}

export function bookingStore(doc: DynamoDBDocumentClient, tablePrefix: string, clock: () => number = Date.now, keys: InventoryKeys = inventoryKeys): BookingStore {
  return { doc, tables: tableNames(tablePrefix), clock, keys };
}

export interface PrefixQueryOptions {
  consistentRead?: boolean;
  /** Only these attributes (a ProjectionExpression). */
  projection?: string;
  /** Called with the running count after each page; throw to stop an unbounded read. */
  afterPage?: (itemsSoFar: number) => void;
}

/** Every inventory item under `pk` whose sort key starts with `skPrefix`, page by page. */
export async function queryByPrefix<T = Record<string, unknown>>(store: BookingStore, pk: string, skPrefix: string, options: PrefixQueryOptions = {}): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tables.inventory,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ...(options.consistentRead ? { ConsistentRead: true } : {}),
        ...(options.projection ? { ProjectionExpression: options.projection } : {}),
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as T[]));
    options.afterPage?.(items.length);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Queries in flight at once when an event-wide read fans out over its partitions. */
export const FAN_OUT_CONCURRENCY = 16;

/** Every item under any of `pks` whose sort key starts with `skPrefix`, in the order of `pks`; at
 * most FAN_OUT_CONCURRENCY queries at a time. `afterPage` sees the running total over all of them. */
export async function queryPartitions<T = Record<string, unknown>>(store: BookingStore, pks: readonly string[], skPrefix: string, options: PrefixQueryOptions = {}): Promise<T[]> {
  const results: T[][] = new Array(pks.length);
  let total = 0;
  let next = 0;
  // Each partition's pages add only their own new items to the running total.
  const counted = (): PrefixQueryOptions => {
    if (!options.afterPage) return options;
    let seen = 0;
    return {
      ...options,
      afterPage: (soFar) => {
        total += soFar - seen;
        seen = soFar;
        options.afterPage!(total);
      },
    };
  };
  const lane = async () => {
    for (let index = next++; index < pks.length; index = next++) results[index] = await queryByPrefix<T>(store, pks[index]!, skPrefix, counted());
  };
  await Promise.all(Array.from({ length: Math.min(FAN_OUT_CONCURRENCY, pks.length) }, lane));
  return results.flat();
}
