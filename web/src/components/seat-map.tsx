// One section's seats, row by row, coloured by availability and marked by shape as well, so colour is
// never the only cue. Each seat is a toggle button named for screen readers.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
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

type Direction = 'left' | 'right';

/**
 * A section wider than the screen (a phone shows about 10 of a row's 30 seats) scrolls sideways
 * inside the map, never the page; the map then says so and offers buttons as well as the swipe.
 * Keyboard: one seat is in the tab order (roving tabindex); arrows, Home and End move between seats,
 * and unavailable seats stay focusable (aria-disabled) so the arrows never skip over a gap unheard.
 */
export function SeatMap({ seats, selected, onToggle, disabled }: SeatMapProps) {
  const rows = new Map<string, SeatView[]>();
  for (const seat of seats) rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
  const rowNames = [...rows.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const grid = rowNames.map((row) => rows.get(row)!.sort((a, b) => a.number - b.number));
  const scroller = useRef<HTMLDivElement>(null);
  const overflow = useHorizontalOverflow(scroller, `${rowNames.length}x${grid.map((row) => row.length).join(',')}`);
  const [focusKey, setFocusKey] = useState<string>();
  const tabStop = focusKey !== undefined && seats.some((seat) => seatKey(seat) === focusKey) ? focusKey : firstTabStop(grid);
  const widest = Math.max(0, ...grid.map((row) => row.length));

  const moveFocus = (event: KeyboardEvent<HTMLDivElement>) => {
    const from = (event.target as HTMLElement).closest<HTMLElement>('[data-seat]')?.dataset['seat'];
    const rowIndex = grid.findIndex((row) => row.some((seat) => seatKey(seat) === from));
    if (from === undefined || rowIndex < 0) return;
    const row = grid[rowIndex]!;
    const seatIndex = row.findIndex((seat) => seatKey(seat) === from);
    let target: SeatView | undefined;
    switch (event.key) {
      case 'ArrowLeft': target = row[seatIndex - 1]; break;
      case 'ArrowRight': target = row[seatIndex + 1]; break;
      case 'Home': target = row[0]; break;
      case 'End': target = row[row.length - 1]; break;
      case 'ArrowUp':
      case 'ArrowDown': {
        // The same seat number in the next row, or the nearest one when that row is shorter.
        const next = grid[rowIndex + (event.key === 'ArrowUp' ? -1 : 1)];
        const number = row[seatIndex]!.number;
        target = next?.reduce<SeatView | undefined>((best, seat) => (best === undefined || Math.abs(seat.number - number) < Math.abs(best.number - number) ? seat : best), undefined);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
    if (target === undefined) return;
    const key = seatKey(target);
    setFocusKey(key);
    scroller.current?.querySelector<HTMLElement>(`[data-seat="${CSS.escape(key)}"]`)?.focus();
  };

  const scrollBy = (direction: Direction) => {
    const element = scroller.current;
    if (!element) return;
    element.scrollBy({ left: (direction === 'left' ? -1 : 1) * element.clientWidth * 0.8, behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  };

  return (
    <div className="seat-map" role="group" aria-label="Seat map" aria-describedby="seat-map-keys">
      <p className="stage" aria-hidden="true">Stage</p>
      <p id="seat-map-keys" className="visually-hidden">Use the arrow keys to move between seats, Space or Enter to pick one.</p>
      {overflow.overflowing && (
        <div className="seat-scroll-bar">
          <button type="button" className="scroll-button" aria-label="Scroll the seat map left" aria-controls="seat-scroller" disabled={!overflow.canScrollLeft} onClick={() => scrollBy('left')}>
            <span aria-hidden="true">‹</span>
          </button>
          <p className="muted seat-scroll-hint" data-testid="seat-scroll-hint">
            Rows have up to {widest} seats: swipe sideways or use the arrows to see them all.
          </p>
          <button type="button" className="scroll-button" aria-label="Scroll the seat map right" aria-controls="seat-scroller" disabled={!overflow.canScrollRight} onClick={() => scrollBy('right')}>
            <span aria-hidden="true">›</span>
          </button>
        </div>
      )}
      <div
        id="seat-scroller"
        ref={scroller}
        className={`seat-scroller${overflow.canScrollLeft ? ' more-left' : ''}${overflow.canScrollRight ? ' more-right' : ''}`}
        onKeyDown={moveFocus}
      >
        {grid.map((rowSeats) => {
          const row = rowSeats[0]!.row;
          return (
            <div className="seat-row" key={row} role="group" aria-label={`Row ${row}`}>
              <span className="row-label" aria-hidden="true">{row}</span>
              {rowSeats.map((seat) => {
                const key = seatKey(seat);
                const isSelected = selected.has(key);
                const unavailable = disabled || (seat.state !== 'available' && !isSelected);
                return (
                  <button
                    key={key}
                    type="button"
                    className={`seat seat-${isSelected ? 'selected' : seat.state}`}
                    aria-pressed={isSelected}
                    aria-disabled={unavailable || undefined}
                    aria-label={`${seatName(seat)}, ${isSelected ? 'selected' : seat.state}, ${formatMoney(seat.priceCents)}`}
                    title={`Row ${seat.row} seat ${seat.number} · ${formatMoney(seat.priceCents)}`}
                    tabIndex={key === tabStop ? 0 : -1}
                    onFocus={() => setFocusKey(key)}
                    onClick={() => {
                      if (!unavailable) onToggle(seat);
                    }}
                    data-seat={key}
                    data-state={seat.state}
                  >
                    {isSelected ? '✓' : seat.state === 'sold' ? '×' : seat.state === 'held' ? '–' : seat.number}
                  </button>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function firstTabStop(grid: SeatView[][]): string | undefined {
  const all = grid.flat();
  const first = all.find((seat) => seat.state === 'available') ?? all[0];
  return first === undefined ? undefined : seatKey(first);
}

function prefersReducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Whether the element's content is wider than it, and which way it can still scroll. */
function useHorizontalOverflow(ref: RefObject<HTMLElement | null>, contentKey: string) {
  const [state, setState] = useState({ overflowing: false, canScrollLeft: false, canScrollRight: false });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const overflowing = element.scrollWidth > element.clientWidth + 1;
      const next = { overflowing, canScrollLeft: overflowing && element.scrollLeft > 1, canScrollRight: overflowing && element.scrollLeft + element.clientWidth < element.scrollWidth - 1 };
      setState((previous) => (previous.overflowing === next.overflowing && previous.canScrollLeft === next.canScrollLeft && previous.canScrollRight === next.canScrollRight ? previous : next));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    element.addEventListener('scroll', measure, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener('scroll', measure);
    };
  }, [ref, contentKey]);
  return state;
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
