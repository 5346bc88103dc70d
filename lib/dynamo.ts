// DynamoDB client and the table layout. Locally the endpoint is the stack's DynamoDB-compatible
// server (see docs/decisions/0001-local-dynamodb.md); in AWS it is the regional endpoint.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Counter, Histogram } from 'prom-client';
import type { Config } from './config.js';
import type { DependencyCheck } from './health.js';
import { metricsRegistry } from './metrics.js';

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

const isLocalEndpoint = (endpoint: string) => /^http:\/\/(127\.0\.0\.1|localhost)/.test(endpoint);
// A local server accepts any credentials; real AWS takes them from the default chain.
const localCredentials = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

let throttles: Counter<'operation' | 'reason'> | undefined;

/** DynamoDB requests refused for throughput, per operation and reason, counted on every attempt
 * (the SDK's own retries included): the signal that a partition or the table ran hot. */
export function dynamoThrottles(): Counter<'operation' | 'reason'> {
  throttles ??= new Counter({
    name: 'corral_dynamodb_throttles_total',
    help: 'DynamoDB attempts refused for throughput (ThrottlingException, KeyRangeThroughputExceeded, ProvisionedThroughputExceeded, throttled transaction items)',
    labelNames: ['operation', 'reason'],
    registers: [metricsRegistry()],
  });
  return throttles;
}

let requestDuration: Histogram<'operation'> | undefined;

/** DynamoDB calls as the caller waits for them (the SDK's retries included), per operation. */
export function dynamoRequestDuration(): Histogram<'operation'> {
  requestDuration ??= new Histogram({
    name: 'corral_dynamodb_request_duration_seconds',
    help: 'DynamoDB calls from send to answer or final error, SDK retries included, per operation',
    labelNames: ['operation'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metricsRegistry()],
  });
  return requestDuration;
}

const operationOf = (commandName: unknown) => String(commandName ?? 'unknown').replace(/Command$/, '');

const THROTTLE_ERRORS = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/** Why an attempt was throttled (the most specific reason DynamoDB gave), or undefined if it was not. */
export function throttleReason(error: unknown): string | undefined {
  const failure = error as { name?: string; throttlingReasons?: Array<{ reason?: string }>; ThrottlingReasons?: Array<{ reason?: string }>; CancellationReasons?: Array<{ Code?: string }> } | null;
  if (!failure) return undefined;
  if (failure.name === 'TransactionCanceledException') return failure.CancellationReasons?.some((reason) => reason.Code === 'ThrottlingError') ? 'ThrottlingError' : undefined;
  if (!THROTTLE_ERRORS.has(failure.name ?? '')) return undefined;
  return (failure.throttlingReasons ?? failure.ThrottlingReasons)?.[0]?.reason ?? failure.name;
}

/**
 * Every DynamoDB attempt is bounded: the SDK's default handler waits forever for a connection and an
 * answer, so an endpoint that accepts and never replies held a fan's request (and a worker's job)
 * without end. With these and maxAttempts 3, a call fails within about 3 × 2 s plus backoff, as the
 * retryable TimeoutError that lib/errors.ts maps to a 503.
 */
export const DYNAMO_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } as const;

export function createDynamo(config: Pick<Config, 'DYNAMODB_ENDPOINT' | 'AWS_REGION'>): DynamoClients {
  const client = new DynamoDBClient({
    endpoint: config.DYNAMODB_ENDPOINT,
    region: config.AWS_REGION,
    maxAttempts: 3,
    requestHandler: DYNAMO_TIMEOUTS,
    ...(isLocalEndpoint(config.DYNAMODB_ENDPOINT) ? localCredentials : {}),
  });
  // Registered now, not at the first throttle: a rule on them must find them on every role's /metrics.
  dynamoThrottles();
  dynamoRequestDuration();
  // Inside the SDK's retry loop (deserialize step), so each throttled attempt counts once.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const reason = throttleReason(error);
        if (reason) dynamoThrottles().inc({ operation: operationOf(context.commandName), reason });
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'corralCountThrottles' },
  );
  // Outside the retry loop (initialize step): the latency the caller sees.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const stopTimer = dynamoRequestDuration().startTimer({ operation: operationOf(context.commandName) });
      try {
        return await next(args);
      } finally {
        stopTimer();
      }
    },
    { step: 'initialize', priority: 'high', name: 'corralTimeRequests' },
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc };
}

/**
 * Where the Streams API answers for a DynamoDB endpoint. AWS serves it on its own host
 * (`streams.dynamodb[-fips].<region>.amazonaws.com` beside `dynamodb[-fips].<region>…`); a local
 * server or a proxy answers both APIs on one address.
 */
export function streamsEndpointFor(dynamoEndpoint: string): string {
  const url = new URL(dynamoEndpoint);
  if (/^dynamodb(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(url.hostname)) url.hostname = `streams.${url.hostname}`;
  return url.toString().replace(/\/$/, '');
}

/** The DynamoDB Streams client the relay reads the outbox stream with. */
export function createDynamoStreams(config: Pick<Config, 'DYNAMODB_ENDPOINT' | 'AWS_REGION'>): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint: streamsEndpointFor(config.DYNAMODB_ENDPOINT),
    region: config.AWS_REGION,
    maxAttempts: 3,
    requestHandler: DYNAMO_TIMEOUTS,
    ...(isLocalEndpoint(config.DYNAMODB_ENDPOINT) ? localCredentials : {}),
  });
}

/** Table names for a prefix: inventory holds seats, holds and bookings; outbox feeds the relay. */
export function tableNames(prefix: string) {
  return { inventory: `${prefix}inventory`, outbox: `${prefix}outbox` } as const;
}

export function tableDefinitions(prefix: string): CreateTableCommandInput[] {
  const names = tableNames(prefix);
  return [
    {
      TableName: names.inventory,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    },
    {
      TableName: names.outbox,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    },
  ];
}

/** Creates missing tables; safe to call on every start. */
export async function ensureTables(client: DynamoDBClient, prefix: string): Promise<string[]> {
  const created: string[] = [];
  for (const definition of tableDefinitions(prefix)) {
    try {
      await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await client.send(new CreateTableCommand(definition));
        created.push(definition.TableName!);
      } catch (createError) {
        // Another process created it between our describe and create: that is the outcome we wanted.
        if ((createError as { name?: string }).name !== 'ResourceInUseException') throw createError;
      }
    }
  }
  return created;
}

export function dynamoCheck(client: DynamoDBClient): DependencyCheck {
  return {
    name: 'dynamodb',
    check: async () => {
      await client.send(new ListTablesCommand({ Limit: 1 }));
    },
  };
}
