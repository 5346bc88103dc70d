// What a fan's page shows, computed from its number, `serving` and the rate: the same arithmetic the
// page does with each Socket.IO packet, kept here for the REST status endpoint.
export interface QueuePosition {
  /** Fans ahead (0 once admitted); null without a number. */
  position: number | null;
  admitted: boolean;
  /** Seconds until admission at the current rate; null when unknown (no number, or rate 0). */
  estimatedWaitSeconds: number | null;
}

export function queuePosition(number: number | null, serving: number, admissionRatePerMinute: number | null): QueuePosition {
  if (number === null) return { position: null, admitted: false, estimatedWaitSeconds: null };
  const position = Math.max(0, number - serving);
  if (position === 0) return { position, admitted: true, estimatedWaitSeconds: 0 };
  const estimatedWaitSeconds =
    admissionRatePerMinute !== null && admissionRatePerMinute > 0 ? Math.ceil((position / admissionRatePerMinute) * 60) : null;
  return { position, admitted: false, estimatedWaitSeconds };
}
