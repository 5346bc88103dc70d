// The one mapping from waiting-room and pass errors to HTTP problems, shared by the waiting-room and
// admission roles. Refusals are 409 (the request was fine, the room says no); bad tokens are 401.
import type { ErrorRequestHandler } from 'express';
import { AppError, NotFoundError } from '../lib/errors.js';
import { PassError } from '../lib/tokens/pass-error.js';
import type { ClaimRefusalReason, JoinRefusalReason } from './queue-store.js';
import { WaitingRoomError, type WaitingRoomErrorCode } from './waiting-room-error.js';

const conflictCodes: Partial<Record<WaitingRoomErrorCode, string>> = {
  room_closed: 'room-closed',
  sold_out: 'sold-out',
  not_in_queue: 'not-in-queue',
  not_yet_admitted: 'not-yet-admitted',
  capacity_full: 'capacity-full',
  prequeue_pending: 'prequeue-pending',
  open_in_progress: 'open-in-progress',
  invalid_transition: 'invalid-transition',
};

export function toHttpError(error: unknown): unknown {
  if (error instanceof WaitingRoomError) {
    if (error.code === 'not_configured') return new NotFoundError(`no waiting room for event ${String(error.details['eventId'] ?? '')}`.trim());
    const code = conflictCodes[error.code];
    return code === undefined ? error : new AppError(409, code, error.message, { ...error.details });
  }
  if (error instanceof PassError) return new AppError(401, `pass-${error.reason.replaceAll('_', '-')}`, error.message);
  return error;
}

/** Mount after a role's routes: lib/http's problem handler then renders the AppError. */
export const domainProblems: ErrorRequestHandler = (error, _req, _res, next) => {
  next(toHttpError(error));
};

const refusalCodes: Record<JoinRefusalReason | ClaimRefusalReason, WaitingRoomErrorCode> = {
  not_configured: 'not_configured',
  closed: 'room_closed',
  soldout: 'sold_out',
  not_in_queue: 'not_in_queue',
  not_yet_admitted: 'not_yet_admitted',
  capacity_full: 'capacity_full',
};

const refusalMessages: Record<WaitingRoomErrorCode, string> = {
  not_configured: 'no waiting room is configured for this event',
  room_closed: 'the waiting room is closed',
  sold_out: 'the event is sold out',
  not_in_queue: 'join the queue first',
  not_yet_admitted: 'your number has not been reached yet',
  capacity_full: 'the shop is full; try again shortly',
  prequeue_pending: 'pre-queued fans are waiting for numbers',
  open_in_progress: 'the sale is being opened',
  invalid_transition: 'invalid state transition',
  unexpected_reply: 'unexpected reply',
};

/** Turns a join or claim refusal from QueueStore into the typed error the mapping above renders. */
export function refusalError(reason: JoinRefusalReason | ClaimRefusalReason, details: Record<string, unknown>): WaitingRoomError {
  const code = refusalCodes[reason];
  return new WaitingRoomError(code, refusalMessages[code], details);
}
