// What every booking step needs from the platform: the document client, the table names and a clock.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from '../../lib/dynamo.js';

export interface BookingStore {
  doc: DynamoDBDocumentClient;
  tables: ReturnType<typeof tableNames>;
  clock: () => number;
}

export function bookingStore(doc: DynamoDBDocumentClient, tablePrefix: string, clock: () => number = Date.now): BookingStore {
  return { doc, tables: tableNames(tablePrefix), clock };
}
