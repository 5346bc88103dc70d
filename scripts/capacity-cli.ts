// `npm run capacity -- --seats 50000 --reservations-per-second 10000 --seats-per-reservation 2 --json`:
// simulates that sale through the booking transaction builders (scripts/capacity-model.ts) and
// prints, for the key layout in use and beside it (`today`) for the layout before decision 0010, the hottest
// partition key (write and read units in its worst second), the partition count, and `ok` (every
// partition within 1,000 WCU/s and 3,000 RCU/s), plus the table's peak second, which sizes the
// inventory table's warm throughput (terraform `inventory_warm_throughput`). Exit 0 when `ok`, 1 when
// not, 2 on bad usage.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PARTITION_LIMITS } from '../lib/dynamo-capacity.js';
import { tableNames } from '../lib/dynamo.js';
import { DEFAULT_SHAPE, simulateSale, type LayoutFigures, type SaleShape } from './capacity-model.js';

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const shapeSchema = z.object({
  seats: whole(1, 200_000),
  reservationsPerSecond: whole(1, 1_000_000),
  seatsPerReservation: whole(1, 50),
  rowsPerSection: whole(1, 500),
  seatsPerRow: whole(1, 500),
  payAfterSeconds: whole(1, 3_600),
  releaseShare: z.coerce.number().min(0).max(1),
  processes: whole(0, 10_000),
  fillTtlSeconds: whole(1, 3_600),
  indexers: whole(0, 100),
  bestAvailableSpread: whole(1, 64),
  seed: whole(0, 2 ** 31),
});

const OPTIONS = {
  seats: 'seats',
  'reservations-per-second': 'reservationsPerSecond',
  'seats-per-reservation': 'seatsPerReservation',
  'rows-per-section': 'rowsPerSection',
  'seats-per-row': 'seatsPerRow',
  'pay-after-seconds': 'payAfterSeconds',
  'release-share': 'releaseShare',
  processes: 'processes',
  'fill-ttl-seconds': 'fillTtlSeconds',
  indexers: 'indexers',
  'best-available-spread': 'bestAvailableSpread',
  seed: 'seed',
} as const satisfies Record<string, keyof SaleShape>;

const USAGE = `usage: npm run capacity -- [--json] ${Object.keys(OPTIONS).map((option) => `[--${option} N]`).join(' ')}`;

function figures(layout: LayoutFigures) {
  const inventory = tableNames('corral-').inventory;
  return {
    layout: layout.layout,
    ok: layout.ok,
    partitions: layout.partitions,
    partitionsByTable: layout.partitionsByTable,
    hottestPartition: layout.hottestPartition,
    overLimit: layout.overLimit,
    peakTableSecond: layout.peakTableSecond,
    /** What the inventory table must take in its first second: terraform's warm throughput. */
    inventoryPeak: layout.peakTableSecond[inventory] ?? { wcuPerSecond: 0, rcuPerSecond: 0 },
  };
}

function main(): number {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, ...Object.fromEntries(Object.keys(OPTIONS).map((option) => [option, { type: 'string' as const }])) }, strict: true });
  const given = Object.fromEntries(Object.entries(OPTIONS).flatMap(([option, field]) => (values[option as keyof typeof values] === undefined ? [] : [[field, values[option as keyof typeof values]]])));
  const shape = shapeSchema.safeParse({ ...DEFAULT_SHAPE, ...given });
  if (!shape.success) {
    console.error(`capacity: ${shape.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n${USAGE}`);
    return 2;
  }
  const result = simulateSale(shape.data);
  const [current, before] = result.layouts.map(figures);
  // `today`: the layout the issue measured (everything of an event under `EVENT#<id>`), for contrast.
  const report = { input: shape.data, limits: PARTITION_LIMITS, sale: result.sale, ...current!, today: before! };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    for (const layout of [current!, before!]) {
      console.log(`${layout.layout.padEnd(11)} ok=${layout.ok} partitions=${layout.partitions} hottest=${layout.hottestPartition.key} ${layout.hottestPartition.wcuPerSecond} WCU/s ${layout.hottestPartition.rcuPerSecond} RCU/s; inventory peak ${layout.inventoryPeak.wcuPerSecond} WCU/s ${layout.inventoryPeak.rcuPerSecond} RCU/s`);
    }
  }
  return current!.ok ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`capacity: ${(error as Error).message}\n${USAGE}`);
  process.exitCode = 2;
}
