// What every booking step needs from the platform: the document client, the table names and a clock,
// and the one paginated read of the inventory table (items of an event whose sort key has a prefix).
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from '../lib/dynamo.js';

export interface BookingStore {
  doc: DynamoDBDocumentClient;
  tables: ReturnType<typeof tableNames>;
  clock: () => number;
}

export function bookingStore(doc: DynamoDBDocumentClient, tablePrefix: string, clock: () => number = Date.now): BookingStore {
  return { doc, tables: tableNames(tablePrefix), clock };
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
