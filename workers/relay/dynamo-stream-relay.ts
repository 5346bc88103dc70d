// Relays the DynamoDB outbox table's stream (booking changes) to Kafka: each new outbox item becomes
// one message on the topic named by its `type` (plus one `seat.changed` for a booking change that
// moved seats), keyed by its event id, produced idempotently. The last relayed sequence number of
// every shard is checkpointed in Redis only after Kafka acknowledged the batch, so a relay killed at
// any point resumes after its checkpoint: at-least-once, never lost.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import type { RedisClient } from '../../lib/redis.js';
import { outboxItemToMessage, type RelayedMessage } from './outbox-envelope.js';
import { observeRelayLag } from './relay-metrics.js';
import { seatChangeOf } from './seat-changes.js';

export interface DynamoStreamRelayOptions {
  dynamo: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  producer: Producer;
  redis: RedisClient;
  tableName: string;
  log: Logger;
  /** Records per GetRecords call (DynamoDB allows up to 1000). */
  batchLimit?: number;
  keyPrefix?: string;
}

interface ShardCursor {
  iterator: string | undefined;
  /** The shard is closed and read to its end. */
  finished: boolean;
}

/** When the outbox item was written: the stream's own stamp, else the item's `at` (epoch ms or ISO). */
function recordCreatedAtMs(record: _Record, item: Record<string, unknown>): number {
  const stamped = record.dynamodb?.ApproximateCreationDateTime;
  if (stamped instanceof Date) return stamped.getTime();
  const at = item.at;
  return typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
}

export class DynamoStreamRelay {
  private streamArn: string | undefined;
  private readonly cursors = new Map<string, ShardCursor>();
  private readonly checkpointKey: string;

  constructor(private readonly options: DynamoStreamRelayOptions) {
    this.checkpointKey = `${options.keyPrefix ?? 'corral:'}{relay}:stream-checkpoints:${options.tableName}`;
  }

  /** The checkpoint of every shard seen so far: shardId → last relayed sequence number. */
  checkpoints(): Promise<Record<string, string>> {
    return this.options.redis.hgetall(this.checkpointKey);
  }

  private async currentStreamArn(): Promise<string> {
    if (this.streamArn === undefined) {
      const table = await this.options.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }));
      const arn = table.Table?.LatestStreamArn;
      if (!arn) throw new Error(`table ${this.options.tableName} has no stream enabled`);
      this.streamArn = arn;
    }
    return this.streamArn;
  }

  private async listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let startShardId: string | undefined;
    do {
      const page = await this.options.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: startShardId }));
      shards.push(...(page.StreamDescription?.Shards ?? []));
      startShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (startShardId);
    return shards;
  }

  private async iteratorFor(streamArn: string, shardId: string): Promise<string | undefined> {
    const checkpoint = await this.options.redis.hget(this.checkpointKey, shardId);
    const reply = await this.options.streams.send(
      new GetShardIteratorCommand(
        checkpoint
          ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
          : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
      ),
    );
    return reply.ShardIterator;
  }

  /** One pass over every readable shard; returns how many messages it produced (seat.changed included). */
  async relayOnce(): Promise<{ published: number }> {
    const streamArn = await this.currentStreamArn();
    const shards = await this.listShards(streamArn);
    const known = new Set(shards.map((shard) => shard.ShardId));
    let published = 0;
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      // A child shard continues its parent's keys: read it only after the parent is drained, so one
      // event's messages keep their order.
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !this.cursors.get(parent)?.finished) continue;
      published += await this.relayShard(streamArn, shardId);
    }
    return { published };
  }

  private async relayShard(streamArn: string, shardId: string): Promise<number> {
    let cursor = this.cursors.get(shardId);
    if (cursor?.finished) return 0;
    if (cursor?.iterator === undefined) {
      cursor = { iterator: await this.iteratorFor(streamArn, shardId), finished: false };
      this.cursors.set(shardId, cursor);
    }
    if (cursor.iterator === undefined) {
      cursor.finished = true;
      return 0;
    }
    let records: _Record[];
    let next: string | undefined;
    try {
      const reply = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: this.options.batchLimit ?? 500 }));
      records = reply.Records ?? [];
      next = reply.NextShardIterator;
    } catch (error) {
      // An iterator lives 15 minutes; start again from the checkpoint.
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        this.cursors.delete(shardId);
        return 0;
      }
      throw error;
    }
    const messages: RelayedMessage[] = [];
    const createdAtMs: number[] = [];
    for (const record of records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName === 'REMOVE' || image === undefined) continue;
      const item = unmarshall(image as never);
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      const message = outboxItemToMessage(item);
      if (!message) {
        this.options.log.error({ shardId, sequenceNumber }, 'outbox item without id, type or eventId; not relayed');
        continue;
      }
      messages.push(message);
      createdAtMs.push(recordCreatedAtMs(record, item));
      // Same batch as the booking message, before the checkpoint moves: both or (after a crash) both again.
      const seatChange = seatChangeOf(item);
      if (seatChange.outcome === 'changed') messages.push(seatChange.message);
      else if (seatChange.outcome === 'malformed') this.options.log.error({ shardId, sequenceNumber, outboxId: message.id, problem: seatChange.problem }, 'booking outbox item without usable seats; no seat.changed');
    }
    if (messages.length > 0) {
      await this.produce(messages);
      observeRelayLag('dynamo-stream-relay', createdAtMs, Date.now());
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) await this.options.redis.hset(this.checkpointKey, shardId, last);
    cursor.iterator = next;
    if (next === undefined) cursor.finished = true;
    return messages.length;
  }

  private async produce(messages: RelayedMessage[]): Promise<void> {
    const byTopic = new Map<string, RelayedMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    await this.options.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, batch]) => ({
        topic,
        messages: batch.map((message) => ({ key: message.key, value: message.value, headers: { 'message-id': message.id } })),
      })),
    });
  }
}
