// Best available: N adjacent reservable seats in one row of a section, front rows first, avoiding
// placements that leave a single empty seat beside them (nobody buys a lone seat). Under a storm
// every buyer would compute the same best block and queue on its locks, so a pick is drawn from the
// first few non-overlapping good placements instead (`spread`), keeping concurrent buyers apart at
// the cost of a seat or two of "bestness"; with `random` returning 0 it is the single best block.
import { isReservable, type SeatItem } from './booking-keys.js';

function compareRows(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export interface PickOptions {
  /** How many of the best placements a pick is drawn from (1: always the best). */
  spread?: number;
  /** Uniform in [0, 1); injected so tests control the draw. */
  random?: () => number;
}

/** The chosen seat keys, or undefined when no row has `quantity` adjacent free seats. */
export function pickAdjacentSeats(seats: readonly SeatItem[], quantity: number, nowMs: number, excluded: ReadonlySet<string>, options: PickOptions = {}): string[] | undefined {
  const spread = Math.max(1, options.spread ?? 1);
  const rows = new Map<string, SeatItem[]>();
  for (const seat of seats) {
    if (!isReservable(seat, nowMs) || excluded.has(seat.sk)) continue;
    const row = rows.get(seat.row) ?? [];
    row.push(seat);
    rows.set(seat.row, row);
  }
  const placements: string[][] = [];
  let fallback: string[] | undefined;
  for (const rowName of [...rows.keys()].sort(compareRows)) {
    const free = rows.get(rowName)!.sort((a, b) => a.number - b.number);
    // Split the row's free seats into blocks of consecutive numbers.
    let blockStart = 0;
    for (let index = 1; index <= free.length && placements.length < spread; index += 1) {
      const blockEnds = index === free.length || free[index]!.number !== free[index - 1]!.number + 1;
      if (!blockEnds) continue;
      const block = free.slice(blockStart, index);
      blockStart = index;
      if (block.length < quantity) continue;
      // Non-overlapping placements from the block's start, then one flush with its end; each kept
      // only if it leaves no lone seat on either side.
      const offsets = new Set<number>();
      for (let offset = 0; offset + quantity <= block.length; offset += quantity) offsets.add(offset);
      offsets.add(block.length - quantity);
      for (const offset of [...offsets].sort((a, b) => a - b)) {
        const left = offset;
        const right = block.length - offset - quantity;
        const placement = block.slice(offset, offset + quantity).map((seat) => seat.sk);
        if (left !== 1 && right !== 1) {
          // Overlapping placements (the flush-end one can overlap the tiling) would collide on locks.
          if (!placements.some((taken) => taken.some((sk) => placement.includes(sk)))) placements.push(placement);
          if (placements.length >= spread) break;
        }
      }
      fallback ??= block.slice(0, quantity).map((seat) => seat.sk);
    }
    if (placements.length >= spread) break;
  }
  if (placements.length === 0) return fallback;
  const draw = Math.min(placements.length - 1, Math.floor((options.random ?? (() => 0))() * placements.length));
  return placements[draw];
}
