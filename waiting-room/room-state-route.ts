// The public, cacheable state of one event's waiting room: what the `serving` socket packet carries
// (serving number, issued, admission rate, state, sold out) and nothing per fan, so a CDN or caching
// proxy may answer 100,000 polling fans from one origin request per event per second. No cookie is
// read or set here (a Set-Cookie would make every cache refuse it); the ETag is strong (a hash of the
// exact body), so a revalidation is a 304 without a body.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { eventIdSchema } from './queue-keys.js';
import type { QueueStore } from './queue-store.js';
import type { RoomRecovery } from './room-recovery.js';

/** max-age 1 s (DESIGN §3); a cache may serve a stale copy this long while it refetches. */
export const ROOM_STATE_STALE_WHILE_REVALIDATE_SECONDS = 5;
export const ROOM_STATE_CACHE_CONTROL = `public, max-age=1, stale-while-revalidate=${ROOM_STATE_STALE_WHILE_REVALIDATE_SECONDS}`;

export interface PublicRoomState {
  eventId: string;
  serving: number;
  issued: number;
  admissionRatePerMinute: number;
  state: string;
  soldOut: boolean;
}

export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x"; `*` matches any. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** A public resource names the event in its path: a malformed id is a 400, not an unknown event. */
function publicEventId(req: Request): string {
  const parsed = eventIdSchema.safeParse(req.params['id']);
  if (!parsed.success) throw new ValidationError('event id is malformed', [{ path: 'id', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
}

export function roomStateHandler(store: Pick<QueueStore, 'snapshot'>, recovery?: Pick<RoomRecovery, 'ensureRoom'>): RequestHandler {
  return async (req: Request, res: Response) => {
    const eventId = publicEventId(req);
    let snapshot = await store.snapshot(eventId);
    // Redis lost the room: rebuilt from its checkpoint when the catalog still has it on sale.
    if (snapshot === null && recovery && (await recovery.ensureRoom(eventId))) snapshot = await store.snapshot(eventId);
    if (snapshot === null) throw new NotFoundError(`no waiting room for event ${eventId}`);
    const state: PublicRoomState = { ...snapshot, soldOut: snapshot.state === 'soldout' };
    const body = JSON.stringify(state);
    const etag = strongEtag(body);
    res.setHeader('Cache-Control', ROOM_STATE_CACHE_CONTROL);
    res.setHeader('ETag', etag);
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(body);
  };
}

/**
 * The fairness record (fairness-proof.ts): public like the state, and fixed once the sale opened,
 * so caches may keep it for an hour then; before the open only the commitment is in it.
 */
export function fairnessRecordHandler(store: Pick<QueueStore, 'fairnessRecord'>): RequestHandler {
  return async (req: Request, res: Response) => {
    const eventId = publicEventId(req);
    const record = await store.fairnessRecord(eventId);
    if (record === null) throw new NotFoundError(`no waiting room for event ${eventId}`);
    res.setHeader('Cache-Control', record.seed === null ? 'public, max-age=5' : 'public, max-age=3600');
    res.json(record);
  };
}
