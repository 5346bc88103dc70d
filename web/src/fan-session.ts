// What a fan's browser keeps per event, in localStorage so a reload (or a crashed tab) resumes where
// it was: the queue token and number, the pass once admitted, the hold in progress, the booking.
export interface FanSession {
  queueToken?: string;
  number?: number | null;
  /** When a pre-queued fan's sale opens (epoch ms), from the join answer. */
  opensAt?: number;
  /** `serving` when the fan first saw their place: the start of their progress bar. */
  servingAtJoin?: number;
  pass?: string;
  sessionId?: string;
  passExpiresAt?: string;
  holdId?: string;
  booking?: { bookingId: string; seats: SeatLabel[]; amountCents: number };
}

export interface SeatLabel {
  section: string;
  row: string;
  number: number;
}

const keyOf = (eventId: string) => `corral.fan.${eventId}`;

export function loadFanSession(eventId: string): FanSession {
  try {
    const raw = localStorage.getItem(keyOf(eventId));
    return raw === null ? {} : (JSON.parse(raw) as FanSession);
  } catch {
    return {};
  }
}

export function saveFanSession(eventId: string, update: Partial<FanSession>): FanSession {
  const next = { ...loadFanSession(eventId), ...update };
  for (const key of Object.keys(next) as Array<keyof FanSession>) if (next[key] === undefined) delete next[key];
  localStorage.setItem(keyOf(eventId), JSON.stringify(next));
  return next;
}
