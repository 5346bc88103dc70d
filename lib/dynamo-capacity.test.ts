import { applyUpdate, CapacityMeter, itemSize, readUnits, RequestMeter, valueSize, writeUnits } from './dynamo-capacity.js';

describe('DynamoDB capacity units', () => {
  it('sizes items by the documented rules: names and values, numbers by significant digits', () => {
    expect(valueSize('SEAT#A#1#1')).toBe(10);
    expect(valueSize('é')).toBe(2);
    expect(valueSize(0)).toBe(2);
    expect(valueSize(1_700_000_000_000)).toBe(2);
    expect(valueSize(1_733_225_104_123)).toBe(8);
    expect(valueSize(123_456)).toBe(4);
    expect(valueSize(true)).toBe(1);
    expect(valueSize(['ab', 'c'])).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueSize({ a: 1 })).toBe(3 + 1 + 1 + 2);
    expect(valueSize(new Set(['ab', 'cde']))).toBe(5);
    expect(itemSize({ pk: 'EVENT#e', status: 'HELD', version: 3 })).toBe(2 + 7 + 6 + 4 + 7 + 2);
  });

  it('charges a write unit per KB (two in a transaction) and a read unit per 4 KB (half eventual, two transactional)', () => {
    expect(writeUnits(200, false)).toBe(1);
    expect(writeUnits(200, true)).toBe(2);
    expect(writeUnits(1025, true)).toBe(4);
    expect(readUnits(4096, 'strong')).toBe(1);
    expect(readUnits(4097, 'eventual')).toBe(1);
    expect(readUnits(100, 'transactional')).toBe(2);
  });

  it('applies the update forms the booking builders use, and refuses any other', () => {
    const before = { pk: 'p', sk: 's', status: 'AVAILABLE', version: 4, heldUntil: 9 };
    expect(
      applyUpdate(before, {
        Key: { pk: 'p', sk: 's' },
        UpdateExpression: 'SET #status = :next, version = version + :one REMOVE heldUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':next': 'SOLD', ':one': 1 },
      }),
    ).toEqual({ pk: 'p', sk: 's', status: 'SOLD', version: 5 });
    expect(applyUpdate(undefined, { Key: { pk: 'p', sk: 'f' }, UpdateExpression: 'ADD seatCount :seats', ExpressionAttributeValues: { ':seats': 2 } })).toEqual({ pk: 'p', sk: 'f', seatCount: 2 });
    expect(applyUpdate({ pk: 'p', sk: 'm', parts: new Set(['a']) }, { Key: { pk: 'p', sk: 'm' }, UpdateExpression: 'ADD parts :more', ExpressionAttributeValues: { ':more': new Set(['b']) } }).parts).toEqual(new Set(['a', 'b']));
    expect(() => applyUpdate(before, { Key: { pk: 'p', sk: 's' }, UpdateExpression: 'SET tags = list_append(tags, :t)', ExpressionAttributeValues: { ':t': [] } })).toThrow('unsupported');
    expect(() => applyUpdate(before, { Key: { pk: 'p', sk: 's' }, UpdateExpression: 'SET a = :missing' })).toThrow('unknown value');
  });

  it('reports the hottest partition by its worst second and flags any second over a limit', () => {
    const meter = new CapacityMeter();
    for (let index = 0; index < 600; index += 1) meter.charge(0, 't', 'spread', 1, 0);
    for (let index = 0; index < 600; index += 1) meter.charge(1, 't', 'spread', 1, 0);
    expect(meter.report()).toMatchObject({ ok: true, partitions: 1, hottestPartition: { key: 't/spread', wcuPerSecond: 600, rcuPerSecond: 0 }, peakTableSecond: { t: { wcuPerSecond: 600 } } });
    meter.charge(1, 't', 'hot', 0, 3_001);
    const report = meter.report();
    expect(report).toMatchObject({ ok: false, partitions: 2, partitionsByTable: { t: 2 }, hottestPartition: { key: 't/hot', rcuPerSecond: 3_001 } });
    expect(report.overLimit.map((peak) => peak.key)).toEqual(['t/hot']);
  });

  it('meters the requests a client really sent: transactions twice per KB, updates sized from what it saw, reads per 4 KB', async () => {
    let middleware: ((next: (args: unknown) => Promise<unknown>, context: { commandName: string }) => (args: unknown) => Promise<unknown>) | undefined;
    const meter = new RequestMeter((table) => (table === 'outbox' ? 'id' : 'pk'), () => 5_500);
    meter.install({ middlewareStack: { add: (added: never) => void (middleware = added) } });
    const send = (commandName: string, input: unknown, output: unknown = {}) => middleware!(async () => ({ output }), { commandName })({ input });
    const seat = { pk: { S: 'EVENT#e#SEATS#A#1#0' }, sk: { S: 'SEAT#A#1#1' }, status: { S: 'AVAILABLE' }, version: { N: '0' }, big: { S: 'x'.repeat(1_500) } };
    await send('BatchWriteItemCommand', { RequestItems: { inventory: [{ PutRequest: { Item: seat } }] } });
    await send('TransactWriteItemsCommand', {
      TransactItems: [
        { Update: { TableName: 'inventory', Key: { pk: seat.pk, sk: seat.sk }, UpdateExpression: 'SET #status = :held, version = version + :one', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':held': { S: 'HELD' }, ':one': { N: '1' } } } },
        { Put: { TableName: 'outbox', Item: { id: { S: 'h_1' } } } },
      ],
    });
    await send('QueryCommand', { TableName: 'inventory', ConsistentRead: true }, { Items: [seat, seat, seat] });
    const cells = meter.cells();
    // The 1.5 KB seat: 2 units written plainly, then 2 × 2 in the transaction (the meter knew its size);
    // three of it read in one consistent Query page: 4.5 KB, 2 units.
    expect(cells.find((cell) => cell.pk === 'EVENT#e#SEATS#A#1#0')).toEqual({ table: 'inventory', pk: 'EVENT#e#SEATS#A#1#0', second: 5, wcu: 2 + 4, rcu: 2 });
    expect(cells.find((cell) => cell.table === 'outbox')).toMatchObject({ pk: 'h_1', wcu: 2 });
    // A request shape it cannot size is left uncounted, and the request still succeeds.
    await expect(send('TransactWriteItemsCommand', { TransactItems: [{ Update: { TableName: 'inventory', Key: { pk: seat.pk, sk: seat.sk }, UpdateExpression: 'SET a = list_append(a, :b)', ExpressionAttributeValues: { ':b': { L: [] } } } }] })).resolves.toBeDefined();
  });
});
