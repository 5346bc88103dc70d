import { DeleteTableCommand, DescribeTableCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamo, ensureTables, tableNames, type DynamoClients } from '../../lib/dynamo.js';
import { config, uniqueName } from './platform-env.js';

describe('dynamodb (real local server)', () => {
  const prefix = `${uniqueName('t')}-`;
  const tables = tableNames(prefix);
  let dynamo: DynamoClients;

  beforeAll(async () => {
    dynamo = createDynamo(config);
    expect(await ensureTables(dynamo.client, prefix)).toEqual([tables.inventory, tables.outbox]);
    expect(await ensureTables(dynamo.client, prefix)).toEqual([]);
  });
  afterAll(async () => {
    for (const table of Object.values(tables)) await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
    dynamo.client.destroy();
  });

  const seatKey = { pk: 'EVENT#e1', sk: 'SEAT#A#1#1' };
  const hold = (holdId: string) =>
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tables.inventory,
            Key: seatKey,
            UpdateExpression: 'SET #status = :held, holdId = :holdId',
            ConditionExpression: '#status = :available',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':held': 'HELD', ':available': 'AVAILABLE', ':holdId': holdId },
          },
        },
        { Put: { TableName: tables.inventory, Item: { pk: 'EVENT#e1', sk: `HOLD#${holdId}` }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: tables.outbox, Item: { id: `hold.created:${holdId}`, type: 'hold.created' } } },
      ],
    });

  it('commits a conditional transaction, then cancels a conflicting one with nothing written', async () => {
    await dynamo.doc.send(new PutCommand({ TableName: tables.inventory, Item: { ...seatKey, status: 'AVAILABLE' } }));
    await dynamo.doc.send(hold('h1'));

    const refusal = await dynamo.doc.send(hold('h2')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(TransactionCanceledException);
    const reasons = (refusal as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code);
    expect(reasons?.[0]).toBe('ConditionalCheckFailed');

    const seat = await dynamo.doc.send(new GetCommand({ TableName: tables.inventory, Key: seatKey }));
    expect(seat.Item).toMatchObject({ status: 'HELD', holdId: 'h1' });
    // All-or-nothing: the failed transaction's other writes did not happen.
    const loserHold = await dynamo.doc.send(new GetCommand({ TableName: tables.inventory, Key: { pk: 'EVENT#e1', sk: 'HOLD#h2' } }));
    expect(loserHold.Item).toBeUndefined();
    const loserOutbox = await dynamo.doc.send(new GetCommand({ TableName: tables.outbox, Key: { id: 'hold.created:h2' } }));
    expect(loserOutbox.Item).toBeUndefined();
  });

  it('undoes every write and stream record of a transaction whose last write fails after its conditions passed', async () => {
    const key = { pk: 'EVENT#e3', sk: 'SEAT#A#1#1' };
    const counter = { pk: 'EVENT#e3', sk: 'COUNTER' };
    await dynamo.doc.send(new PutCommand({ TableName: tables.inventory, Item: { ...key, status: 'AVAILABLE' } }));
    await dynamo.doc.send(new PutCommand({ TableName: tables.inventory, Item: { ...counter, seats: 'not a number' } }));
    const failed = await dynamo.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tables.outbox, Item: { id: 'hold.created:h3', type: 'hold.created' } } },
            {
              Update: {
                TableName: tables.inventory,
                Key: key,
                UpdateExpression: 'SET #status = :held',
                ConditionExpression: '#status = :available',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':held': 'HELD', ':available': 'AVAILABLE' },
              },
            },
            // Passes its (absent) condition, then fails while applying: a number added to a string.
            { Update: { TableName: tables.inventory, Key: counter, UpdateExpression: 'SET seats = seats + :one', ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(Error);
    expect((await dynamo.doc.send(new GetCommand({ TableName: tables.inventory, Key: key }))).Item).toMatchObject({ status: 'AVAILABLE' });
    expect((await dynamo.doc.send(new GetCommand({ TableName: tables.outbox, Key: { id: 'hold.created:h3' } }))).Item).toBeUndefined();

    // Nothing of it reached the outbox stream either (the relay would have published it).
    const streams = new DynamoDBStreamsClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION, credentials: dynamo.client.config.credentials });
    try {
      const streamArn = (await dynamo.client.send(new DescribeTableCommand({ TableName: tables.outbox }))).Table!.LatestStreamArn!;
      const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
      const ids: unknown[] = [];
      for (const shard of shards) {
        const iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        const records = (await streams.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
        ids.push(...records.map((record) => record.dynamodb?.NewImage?.['id']?.S));
      }
      expect(ids).toContain('hold.created:h1');
      expect(ids).not.toContain('hold.created:h3');
    } finally {
      streams.destroy();
    }
  });

  it('lets exactly one of many concurrent transactions take a seat', async () => {
    const key = { pk: 'EVENT#e2', sk: 'SEAT#A#1#1' };
    await dynamo.doc.send(new PutCommand({ TableName: tables.inventory, Item: { ...key, status: 'AVAILABLE' } }));
    const attempts = Array.from({ length: 40 }, (_, index) =>
      dynamo.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tables.inventory,
                Key: key,
                UpdateExpression: 'SET #status = :held, holdId = :holdId',
                ConditionExpression: '#status = :available',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':held': 'HELD', ':available': 'AVAILABLE', ':holdId': `h${index}` },
              },
            },
          ],
        }),
      ),
    );
    const outcomes = await Promise.allSettled(attempts);
    const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [`h${index}`] : []));
    expect(winners).toHaveLength(1);
    const seat = await dynamo.doc.send(new GetCommand({ TableName: tables.inventory, Key: key }));
    expect(seat.Item?.holdId).toBe(winners[0]);
  });
});
