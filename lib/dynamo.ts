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
import type { Config } from './config.js';
import type { DependencyCheck } from './health.js';

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

const isLocalEndpoint = (endpoint: string) => /^http:\/\/(127\.0\.0\.1|localhost)/.test(endpoint);
// A local server accepts any credentials; real AWS takes them from the default chain.
const localCredentials = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export function createDynamo(config: Pick<Config, 'DYNAMODB_ENDPOINT' | 'AWS_REGION'>): DynamoClients {
  const client = new DynamoDBClient({
    endpoint: config.DYNAMODB_ENDPOINT,
    region: config.AWS_REGION,
    maxAttempts: 3,
    ...(isLocalEndpoint(config.DYNAMODB_ENDPOINT) ? localCredentials : {}),
  });
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
