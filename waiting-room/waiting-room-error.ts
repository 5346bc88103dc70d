// Typed failures of the waiting room; the HTTP layer maps `code` to problem JSON (409 for refusals).
export type WaitingRoomErrorCode =
  | 'not_configured'
  | 'room_closed'
  | 'sold_out'
  | 'not_in_queue'
  | 'not_yet_admitted'
  | 'capacity_full'
  | 'prequeue_pending'
  | 'open_in_progress'
  | 'invalid_transition'
  | 'unexpected_reply';

export class WaitingRoomError extends Error {
  override readonly name = 'WaitingRoomError';
  constructor(
    readonly code: WaitingRoomErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
