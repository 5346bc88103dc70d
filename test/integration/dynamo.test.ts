import { DeleteTableCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
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
