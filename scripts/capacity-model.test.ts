import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_SHAPE, simulateSale } from './capacity-model.js';

const run = promisify(execFile);
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/scripts/capacity-cli.js');

describe('capacity model (the booking transaction builders, metered per partition key)', () => {
  it('50,000 seats at 10,000 two-seat reservations/s: every partition within its limits; under one event-wide key, not', () => {
    const result = simulateSale({ ...DEFAULT_SHAPE, seats: 50_000, reservationsPerSecond: 10_000, seatsPerReservation: 2 });
    // The sale really ran: every seat sold, through reserves, confirms and some releases.
    expect(result.sale.seatsSold).toBe(50_000);
    expect(result.sale.releases).toBeGreaterThan(0);
    const [spread, eventWide] = result.layouts;
    expect(spread).toMatchObject({ layout: 'spread', ok: true, overLimit: [] });
    expect(spread!.hottestPartition.wcuPerSecond).toBeLessThanOrEqual(1_000);
    expect(spread!.hottestPartition.rcuPerSecond).toBeLessThanOrEqual(3_000);
    // Both layouts wrote the same items: the table-wide figures match, only their keys differ.
    expect(spread!.peakTableSecond['corral-inventory']!.wcuPerSecond).toBe(eventWide!.peakTableSecond['corral-inventory']!.wcuPerSecond);
    expect(eventWide).toMatchObject({ layout: 'event-wide', ok: false, partitionsByTable: { 'corral-inventory': 1 }, hottestPartition: { key: 'corral-inventory/EVENT#capacity-model' } });
    expect(eventWide!.hottestPartition.wcuPerSecond).toBeGreaterThan(10 * 1_000);
  }, 180_000);

  it('a sale beyond the shards is flagged: 40,000 holds in one second put over 1,000 WCU/s on the shards, never on a seat partition', () => {
    const result = simulateSale({ ...DEFAULT_SHAPE, seats: 40_000, rowsPerSection: 2, seatsPerRow: 100, reservationsPerSecond: 40_000, seatsPerReservation: 1, releaseShare: 0, processes: 0, indexers: 0 });
    const [spread] = result.layouts;
    expect(spread!.ok).toBe(false);
    const kinds = new Set(spread!.overLimit.map((peak) => /#(HOLDS|FANS|BOOKINGS|SEATS)#/.exec(peak.key)?.[1]));
    // Shards (one write per hold each) run over; a seat partition (at most 100 seats) never can.
    expect(kinds.has('HOLDS') && kinds.has('FANS')).toBe(true);
    expect(kinds.has('SEATS')).toBe(false);
  }, 120_000);

  it('the CLI prints the figures as JSON and exits 0 when they fit; bad input is exit 2 with a usage line', async () => {
    const { stdout } = await run(process.execPath, [cli, '--seats', '2000', '--reservations-per-second', '500', '--seats-per-reservation', '2', '--json']);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ ok: true, layout: 'spread', hottestPartition: { key: expect.any(String), wcuPerSecond: expect.any(Number), rcuPerSecond: expect.any(Number) }, today: { layout: 'event-wide' } });
    expect(report.partitions).toEqual(expect.any(Number));
    await expect(run(process.execPath, [cli, '--seats', 'many'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run capacity') });
  });
});
