// The durable side of every acknowledged (202) hold request, in DynamoDB beside the holds, so a Redis
// lost entirely (its request records, jobs and results) never leaves a fan in silence (DESIGN §8.5,
// docs/decisions/0016). The api writes one `pending` item before it answers 202; the worker turns it
// into the answer when the job ends (a hold's answer is the hold itself, so only the pending item
// goes); the reconciler (hold-reconciler.ts) finds pending items whose job vanished. Items live in
// REQUEST_SHARDS partitions keyed by the hold id alone, so GET /api/holds/:id finds one from its id.
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { BookingStore } from './booking-store.js';
import { reserveJobSchema, type ReserveJob } from './booking-jobs.js';

/** 32 partitions: 10,000 requests/s is ~310 writes/s each, well under one partition's 1,000. */
export const REQUEST_SHARDS = 32;
const PENDING = 'P#';
const ANSWERED = 'A#';
/** Answers are kept this long (DynamoDB TTL garbage-collects them; nothing relies on the deletion). */
const ANSWER_RETENTION_SECONDS = 7 * 86_400;

const isConditionFailure = (error: unknown) => error instanceof Error && error.name === 'ConditionalCheckFailedException';

export const requestShardPk = (shard: number) => `HOLD-REQUESTS#${shard}`;
const shardOf = (holdId: string) => createHash('sha1').update(holdId).digest().readUInt32BE(0) % REQUEST_SHARDS;
const key = (holdId: string, kind: typeof PENDING | typeof ANSWERED) => ({ pk: requestShardPk(shardOf(holdId)), sk: `${kind}${holdId}` });

/** A held request's answer names no seats: the hold item (DynamoDB) is read for those. */
export const requestAnswerSchema = z.union([z.object({ status: z.literal('held') }), z.object({ status: z.literal('rejected'), reason: z.string() })]);
export type RequestAnswer = z.infer<typeof requestAnswerSchema>;

export interface LedgerEntry {
  job: ReserveJob;
  acceptedAtMs: number;
  /** Times the reconciler put the job back after it vanished from Redis. */
  requeues: number;
  /** Set once answered: held (the hold item has the rest) or rejected. */
  answer?: RequestAnswer;
}

const itemSchema = z.object({ job: z.string(), acceptedAtMs: z.number(), requeues: z.number().optional(), answer: requestAnswerSchema.optional() });

function entryOf(item: Record<string, unknown>): LedgerEntry {
  const parsed = itemSchema.parse(item);
  return { job: reserveJobSchema.parse(JSON.parse(parsed.job)), acceptedAtMs: parsed.acceptedAtMs, requeues: parsed.requeues ?? 0, ...(parsed.answer ? { answer: parsed.answer } : {}) };
}

/** The api's one extra write per accepted request; a replay of the same request writes nothing. */
export async function recordAccepted(store: BookingStore, job: ReserveJob): Promise<void> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tables.inventory,
        Item: { ...key(job.holdId, PENDING), job: JSON.stringify(job), eventId: job.eventId, acceptedAtMs: store.clock(), requeues: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The request as DynamoDB knows it: pending, answered, or unknown (never acknowledged). */
export async function readLedgerEntry(store: BookingStore, holdId: string): Promise<LedgerEntry | undefined> {
  const [answered, pending] = await Promise.all([ANSWERED, PENDING].map((kind) => store.doc.send(new GetCommand({ TableName: store.tables.inventory, Key: key(holdId, kind as typeof PENDING) }))));
  const item = answered?.Item ?? pending?.Item;
  return item ? entryOf(item) : undefined;
}

/**
 * The request has its answer: the pending item becomes an answered one, kept where GET /api/holds/:id
 * finds it by the hold id alone (with the job, which names the event and the fan) after a Redis loss.
 */
export async function settleRequest(store: BookingStore, job: ReserveJob, answer: RequestAnswer, acceptedAtMs: number = store.clock()): Promise<void> {
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: store.tables.inventory, Key: key(job.holdId, PENDING) } },
        {
          Put: {
            TableName: store.tables.inventory,
            Item: { ...key(job.holdId, ANSWERED), job: JSON.stringify(job), eventId: job.eventId, acceptedAtMs, answer, answeredAtMs: store.clock(), expiresAt: Math.floor(store.clock() / 1000) + ANSWER_RETENTION_SECONDS },
          },
        },
      ],
    }),
  );
}

export async function countRequeue(store: BookingStore, holdId: string): Promise<void> {
  await store.doc
    .send(new UpdateCommand({ TableName: store.tables.inventory, Key: key(holdId, PENDING), UpdateExpression: 'ADD requeues :one', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': 1 } }))
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** Pending requests of one shard accepted before `acceptedBeforeMs`, page by page. */
export async function* pendingRequests(store: BookingStore, shard: number, acceptedBeforeMs: number): AsyncGenerator<LedgerEntry> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tables.inventory,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pending)',
        FilterExpression: 'acceptedAtMs < :before',
        ExpressionAttributeValues: { ':pk': requestShardPk(shard), ':pending': PENDING, ':before': acceptedBeforeMs },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) yield entryOf(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
