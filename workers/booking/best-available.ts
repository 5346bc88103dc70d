// Best available: N adjacent reservable seats in one row of a section, front rows first, avoiding
// placements that leave a single empty seat beside them (nobody buys a lone seat).
import { isReservable, type SeatItem } from './booking-keys.js';

function compareRows(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The chosen seat keys, or undefined when no row has `quantity` adjacent free seats. */
export function pickAdjacentSeats(seats: readonly SeatItem[], quantity: number, nowMs: number, excluded: ReadonlySet<string>): string[] | undefined {
  const rows = new Map<string, SeatItem[]>();
  for (const seat of seats) {
    if (!isReservable(seat, nowMs) || excluded.has(seat.sk)) continue;
    const row = rows.get(seat.row) ?? [];
    row.push(seat);
    rows.set(seat.row, row);
  }
  let fallback: string[] | undefined;
  for (const rowName of [...rows.keys()].sort(compareRows)) {
    const free = rows.get(rowName)!.sort((a, b) => a.number - b.number);
    // Split the row's free seats into blocks of consecutive numbers.
    let blockStart = 0;
    for (let index = 1; index <= free.length; index += 1) {
      const blockEnds = index === free.length || free[index]!.number !== free[index - 1]!.number + 1;
      if (!blockEnds) continue;
      const block = free.slice(blockStart, index);
      blockStart = index;
      if (block.length < quantity) continue;
      const chosen = block.slice(0, quantity).map((seat) => seat.sk);
      if (block.length - quantity !== 1) return chosen;
      fallback ??= chosen;
    }
  }
  return fallback;
}
