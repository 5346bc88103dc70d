// DynamoDB capacity units as AWS charges them, per partition key and per second: item sizes by the
// documented rules, a write unit per KB written (two in a transaction; an update pays for the larger
// of the item before and after), a read unit per 4 KB read (half when eventually consistent, two in a
// transaction). `npm run capacity` meters the booking transaction builders with it and the
// reservation benchmark the calls it sent; nothing on the product's path depends on it.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tableNames } from './dynamo.js';

export const PARTITION_LIMITS = { wcuPerSecond: 1_000, rcuPerSecond: 3_000 } as const;

type Item = Record<string, unknown>;

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function numberSize(value: number | bigint): number {
  const digits = String(value).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.min(21, Math.ceil(Math.max(1, digits.length) / 2) + 1);
}

/** Size of one attribute value: strings and binaries by bytes, numbers by significant digits,
 * lists and maps 3 bytes plus a byte per element, sets the sum of their members. */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueSize(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as Item).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  throw new Error(`no DynamoDB size for a ${typeof value}`);
}

/** An item's size: every attribute's name plus its value. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + valueSize(value)), 0);
}

export const writeUnits = (bytes: number, transactional: boolean) => Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
export const readUnits = (bytes: number, read: 'eventual' | 'strong' | 'transactional') => (Math.max(1, Math.ceil(bytes / 4096)) * { eventual: 0.5, strong: 1, transactional: 2 }[read]);

export interface UpdateInput {
  Key: Item;
  UpdateExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/**
 * The item after an UpdateExpression, for the forms the booking builders use: `SET a = :v`,
 * `SET a = a + :v` (or `-`), `REMOVE a, b` and `ADD a :v` (numbers and sets). Anything else throws,
 * so the meter never guesses a size.
 */
export function applyUpdate(before: Item | undefined, update: UpdateInput): Item {
  const after: Item = { ...(before ?? {}), ...update.Key };
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const name = (token: string) => (token.startsWith('#') ? (names[token] ?? fail(`unknown name ${token}`)) : token);
  const operand = (token: string): unknown => (token.startsWith(':') ? (token in values ? values[token] : fail(`unknown value ${token}`)) : after[name(token)]);
  const clauses = update.UpdateExpression.split(/\b(SET|REMOVE|ADD|DELETE)\b/).map((part) => part.trim()).filter(Boolean);
  for (let index = 0; index < clauses.length; index += 2) {
    const [keyword, body] = [clauses[index]!, clauses[index + 1] ?? ''];
    for (const action of body.split(',').map((part) => part.trim())) {
      if (keyword === 'SET') {
        const match = /^([#\w]+)\s*=\s*([#:\w]+)(?:\s*([+-])\s*([#:\w]+))?$/.exec(action) ?? fail(`unsupported SET ${action}`);
        const [, target, left, sign, right] = match;
        after[name(target!)] = sign ? Number(operand(left!) ?? 0) + (sign === '+' ? 1 : -1) * Number(operand(right!)) : operand(left!);
      } else if (keyword === 'REMOVE') {
        delete after[name(action)];
      } else if (keyword === 'ADD') {
        const [target, value] = action.split(/\s+/);
        const current = after[name(target!)];
        const added = operand(value!);
        after[name(target!)] = added instanceof Set ? new Set([...((current as Set<unknown> | undefined) ?? []), ...added]) : Number(current ?? 0) + Number(added);
      } else {
        fail(`unsupported ${keyword}`);
      }
    }
  }
  return after;
}

function fail(message: string): never {
  throw new Error(`capacity meter: ${message}`);
}

export interface PartitionPeak {
  key: string;
  wcuPerSecond: number;
  rcuPerSecond: number;
}

export interface MeterReport {
  /** Distinct partition keys that were written or read, in all tables. */
  partitions: number;
  /** The same, per table. */
  partitionsByTable: Record<string, number>;
  /** The partition with the highest share of its limit in any second (write or read). */
  hottestPartition: PartitionPeak;
  /** Every partition within PARTITION_LIMITS in every second. */
  ok: boolean;
  /** Partitions over a limit in some second, hottest first (at most 10). */
  overLimit: PartitionPeak[];
  /** The table-wide peak second, per table: what warm throughput must cover. */
  peakTableSecond: Record<string, { wcuPerSecond: number; rcuPerSecond: number }>;
}

/** Units per (table, partition key, second). Keys are reported as `<table>/<pk>`. */
export class CapacityMeter {
  private readonly units = new Map<string, Map<number, { wcu: number; rcu: number }>>();
  private readonly tableSeconds = new Map<string, Map<number, { wcu: number; rcu: number }>>();

  charge(second: number, table: string, pk: string, wcu: number, rcu: number): void {
    for (const [cells, key] of [[this.units, `${table}/${pk}`], [this.tableSeconds, table]] as const) {
      let seconds = cells.get(key);
      if (!seconds) cells.set(key, (seconds = new Map()));
      const cell = seconds.get(second) ?? { wcu: 0, rcu: 0 };
      cell.wcu += wcu;
      cell.rcu += rcu;
      seconds.set(second, cell);
    }
  }

  cells(): UnitCells {
    return [...this.units].flatMap(([key, seconds]) => {
      const table = key.slice(0, key.indexOf('/'));
      const pk = key.slice(key.indexOf('/') + 1);
      return [...seconds].map(([second, cell]) => ({ table, pk, second, wcu: cell.wcu, rcu: cell.rcu }));
    });
  }

  merge(cells: UnitCells, keep: (second: number) => boolean = () => true): void {
    for (const cell of cells) if (keep(cell.second)) this.charge(cell.second, cell.table, cell.pk, cell.wcu, cell.rcu);
  }

  report(): MeterReport {
    const peaks: Array<PartitionPeak & { share: number }> = [];
    for (const [key, seconds] of this.units) {
      let wcu = 0;
      let rcu = 0;
      for (const cell of seconds.values()) {
        wcu = Math.max(wcu, cell.wcu);
        rcu = Math.max(rcu, cell.rcu);
      }
      peaks.push({ key, wcuPerSecond: round(wcu), rcuPerSecond: round(rcu), share: Math.max(wcu / PARTITION_LIMITS.wcuPerSecond, rcu / PARTITION_LIMITS.rcuPerSecond) });
    }
    peaks.sort((a, b) => b.share - a.share || a.key.localeCompare(b.key));
    const strip = ({ key, wcuPerSecond, rcuPerSecond }: PartitionPeak) => ({ key, wcuPerSecond, rcuPerSecond });
    const over = peaks.filter((peak) => peak.share > 1);
    const peakTableSecond: MeterReport['peakTableSecond'] = {};
    for (const [table, seconds] of this.tableSeconds) {
      const cells = [...seconds.values()];
      peakTableSecond[table] = { wcuPerSecond: round(Math.max(...cells.map((cell) => cell.wcu))), rcuPerSecond: round(Math.max(...cells.map((cell) => cell.rcu))) };
    }
    const partitionsByTable: Record<string, number> = {};
    for (const key of this.units.keys()) {
      const table = key.slice(0, key.indexOf('/'));
      partitionsByTable[table] = (partitionsByTable[table] ?? 0) + 1;
    }
    return {
      partitions: peaks.length,
      partitionsByTable,
      hottestPartition: peaks[0] ? strip(peaks[0]) : { key: '', wcuPerSecond: 0, rcuPerSecond: 0 },
      ok: over.length === 0,
      overLimit: over.slice(0, 10).map(strip),
      peakTableSecond,
    };
  }
}

const round = (units: number) => Math.round(units * 10) / 10;

export type UnitCells = Array<{ table: string; pk: string; second: number; wcu: number; rcu: number }>;

export interface MeteredClient {
  middlewareStack: { add: (middleware: never, options: { step: 'serialize'; name: string }) => void };
}

type Marshalled = Record<string, AttributeValue>;
type Input = Record<string, unknown>;

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/** An item as plain values, whether it comes in attribute-value form (`{ S: '…' }`) or already plain. */
function plainItem(item: Item): Item {
  const marshalled = Object.values(item).every((value) => typeof value === 'object' && value !== null && !(value instanceof Set) && Object.keys(value).length === 1 && ATTRIBUTE_TYPES.has(Object.keys(value)[0]!));
  return marshalled ? unmarshall(item as Marshalled) : item;
}

/**
 * Meters the requests a low-level DynamoDB client really sends, by the same rules as the capacity
 * model, per partition key and wall-clock second. It sees only requests and replies: an item's size
 * is known once the client wrote or read it; an update of an item it never saw is sized from the
 * key and the values it sets (a lower bound, the same units for any item under 1 KB). Only requests
 * that succeeded are counted.
 */
/** The hash key of Corral's tables under `tablePrefix`: the outbox's is `id`, the inventory's `pk`. */
export const corralHashKeys = (tablePrefix: string) => {
  const outbox = tableNames(tablePrefix).outbox;
  return (table: string) => (table === outbox ? 'id' : 'pk');
};

export class RequestMeter {
  readonly meter = new CapacityMeter();
  private readonly sizes = new Map<string, Item>();

  constructor(
    /** Hash key attribute of each table (`pk`, `id`). */
    private readonly hashKeys: (table: string) => string,
    private readonly clock: () => number = Date.now,
  ) {}

  install(client: MeteredClient): void {
    const middleware = (next: (args: { input: Input }) => Promise<{ output: Input }>, context: { commandName?: string }) => async (args: { input: Input }) => {
      const result = await next(args);
      try {
        this.record(String(context.commandName ?? '').replace(/Command$/, ''), args.input, result.output);
      } catch {
        // A request shape the meter does not know is left uncounted, never failed.
      }
      return result;
    };
    // Serialize step: past the document client's marshalling, so requests are in DynamoDB's own
    // attribute-value form whichever client sent them (replies may already be plain again: the
    // document client unmarshalls them further in); outside the retry loop, so a request counts
    // once, when it succeeded.
    client.middlewareStack.add(middleware as never, { step: 'serialize', name: 'corralRequestMeter' });
  }

  /** Cells to merge into another process's meter (the benchmark's workers report theirs). */
  cells(): UnitCells {
    return this.meter.cells();
  }

  private identity(table: string, item: Item): string {
    return `${table}\u0000${String(item[this.hashKeys(table)])}\u0000${String(item.sk ?? '')}`;
  }

  private remember(table: string, item: Item): number {
    const before = this.sizes.get(this.identity(table, item));
    this.sizes.set(this.identity(table, item), item);
    return Math.max(before ? itemSize(before) : 0, itemSize(item));
  }

  private write(second: number, table: string, item: Item, transactional: boolean): void {
    this.meter.charge(second, table, String(item[this.hashKeys(table)]), writeUnits(this.remember(table, item), transactional), 0);
  }

  private update(second: number, request: Input, transactional: boolean): void {
    const table = String(request.TableName);
    const key = unmarshall(request.Key as Marshalled);
    const values = request.ExpressionAttributeValues ? unmarshall(request.ExpressionAttributeValues as Marshalled) : undefined;
    const after = applyUpdate(this.sizes.get(this.identity(table, key)), {
      Key: key,
      UpdateExpression: String(request.UpdateExpression),
      ...(request.ExpressionAttributeNames ? { ExpressionAttributeNames: request.ExpressionAttributeNames as Record<string, string> } : {}),
      ...(values ? { ExpressionAttributeValues: values } : {}),
    });
    this.write(second, table, after, transactional);
  }

  private read(second: number, table: string, items: Item[], consistent: boolean, perItem: boolean): void {
    const byPk = new Map<string, number[]>();
    for (const item of items) {
      this.remember(table, item);
      const pk = String(item[this.hashKeys(table)]);
      byPk.set(pk, [...(byPk.get(pk) ?? []), itemSize(item)]);
    }
    for (const [pk, sizes] of byPk) {
      const units = perItem ? sizes.reduce((sum, size) => sum + readUnits(size, consistent ? 'strong' : 'eventual'), 0) : readUnits(sizes.reduce((sum, size) => sum + size, 0), consistent ? 'strong' : 'eventual');
      this.meter.charge(second, table, pk, 0, units);
    }
  }

  private record(command: string, input: Input, output: Input): void {
    const second = Math.floor(this.clock() / 1000);
    const items = (list: unknown) => ((list as Item[] | undefined) ?? []).map(plainItem);
    switch (command) {
      case 'TransactWriteItems':
        for (const entry of input.TransactItems as Array<Record<string, Input>>) {
          if (entry.Put) this.write(second, String(entry.Put.TableName), unmarshall(entry.Put.Item as Marshalled), true);
          else if (entry.Update) this.update(second, entry.Update, true);
        }
        return;
      case 'PutItem':
        this.write(second, String(input.TableName), unmarshall(input.Item as Marshalled), false);
        return;
      case 'UpdateItem':
        this.update(second, input, false);
        return;
      case 'BatchWriteItem':
        for (const [table, requests] of Object.entries(input.RequestItems as Record<string, Array<Record<string, Input>>>)) {
          for (const request of requests) if (request.PutRequest) this.write(second, table, unmarshall(request.PutRequest.Item as Marshalled), false);
        }
        return;
      case 'GetItem':
        if (output.Item) this.read(second, String(input.TableName), items([output.Item]), input.ConsistentRead === true, true);
        return;
      case 'BatchGetItem':
        for (const [table, found] of Object.entries((output.Responses ?? {}) as Record<string, Marshalled[]>)) {
          const consistent = (input.RequestItems as Record<string, Input>)[table]?.ConsistentRead === true;
          this.read(second, table, items(found), consistent, true);
        }
        return;
      case 'Query':
        this.read(second, String(input.TableName), items(output.Items), input.ConsistentRead === true, false);
        return;
      default:
        return;
    }
  }
}
