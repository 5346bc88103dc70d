// One section's seats, row by row, coloured by availability and marked by shape as well, so colour is
// never the only cue. Each seat is a toggle button named for screen readers.
import { formatMoney, seatName } from '../format';
import type { SeatLabel } from '../fan-session';

export interface SectionSummary {
  section: string;
  total: number;
  available: number;
  held: number;
  sold: number;
}

export interface SeatMapSummary {
  eventId: string;
  sections: SectionSummary[];
}

export interface SeatView extends SeatLabel {
  priceTier: string;
  priceCents: number;
  state: 'available' | 'held' | 'sold';
}

export interface SectionSeats extends SeatMapSummary {
  seats: SeatView[];
}

export const seatKey = (seat: SeatLabel) => `${seat.section}#${seat.row}#${seat.number}`;

interface SeatMapProps {
  seats: SeatView[];
  selected: ReadonlyMap<string, unknown>;
  onToggle: (seat: SeatView) => void;
  disabled: boolean;
}

export function SeatMap({ seats, selected, onToggle, disabled }: SeatMapProps) {
  const rows = new Map<string, SeatView[]>();
  for (const seat of seats) rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
  const rowNames = [...rows.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return (
    <div className="seat-map" role="group" aria-label="Seat map">
      <p className="stage" aria-hidden="true">Stage</p>
      {rowNames.map((row) => (
        <div className="seat-row" key={row} role="group" aria-label={`Row ${row}`}>
          <span className="row-label" aria-hidden="true">{row}</span>
          {rows
            .get(row)!
            .sort((a, b) => a.number - b.number)
            .map((seat) => {
              const key = seatKey(seat);
              const isSelected = selected.has(key);
              const unavailable = seat.state !== 'available' && !isSelected;
              return (
                <button
                  key={key}
                  type="button"
                  className={`seat seat-${isSelected ? 'selected' : seat.state}`}
                  aria-pressed={isSelected}
                  aria-label={`${seatName(seat)}, ${isSelected ? 'selected' : seat.state}, ${formatMoney(seat.priceCents)}`}
                  title={`Row ${seat.row} seat ${seat.number} · ${formatMoney(seat.priceCents)}`}
                  disabled={disabled || unavailable}
                  onClick={() => onToggle(seat)}
                  data-seat={key}
                  data-state={seat.state}
                >
                  {isSelected ? '✓' : seat.state === 'sold' ? '×' : seat.state === 'held' ? '–' : seat.number}
                </button>
              );
            })}
        </div>
      ))}
    </div>
  );
}

export function SeatLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li><span className="seat seat-available" aria-hidden="true">1</span> Available</li>
      <li><span className="seat seat-selected" aria-hidden="true">✓</span> Your pick</li>
      <li><span className="seat seat-held" aria-hidden="true">–</span> Held by someone</li>
      <li><span className="seat seat-sold" aria-hidden="true">×</span> Sold</li>
    </ul>
  );
}
