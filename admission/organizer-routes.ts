// Organizer controls of the admission role: configure a room, set the rate and the join's proof of work, pause, resume, close,
// mark sold out, open the sale, live stats, estimate vs actual wait of the last admitted fans, and the
// event's booking settings. Allowed only with a session (Bearer or cookie) of an organizer of the
// event's organization or of a platform admin.
import cookieParser from 'cookie-parser';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { sessionTokenOf, type SessionTokens } from '../accounts/sessions.js';
import type { EventOrganizers } from '../catalog/event-organizers.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../lib/errors.js';
import { domainProblems } from '../waiting-room/domain-problems.js';
import { eventIdParam, parseBody } from '../waiting-room/join-routes.js';
import { eventBookingSettingsSchema, readEventBookingSettings, writeEventBookingSettings, type BookingDefaults } from '../booking/event-booking-settings.js';
import type { RoomControl } from '../waiting-room/room-control.js';
import { proofOfWorkBitsSchema } from '../waiting-room/proof-of-work.js';

// Limits match waiting-room/room-config.ts; the state is not settable here: it moves only through
// the action endpoints, whose transitions are checked.
const roomSettingsSchema = z
  .object({
    opensAt: z.union([z.number().int().min(0), z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso))]),
    admissionRatePerMinute: z.number().int().min(0).max(10_000_000),
    maxActiveShoppers: z.number().int().min(1).max(10_000_000),
    passTtlSeconds: z.number().int().min(1).max(24 * 3600),
    claimWindowSeconds: z.number().int().min(1).max(24 * 3600).optional(),
    proofOfWorkBits: proofOfWorkBitsSchema.optional(),
  })
  .strict();
const proofOfWorkBodySchema = z.object({ proofOfWorkBits: proofOfWorkBitsSchema }).strict();
const rateBodySchema = z.object({ admissionRatePerMinute: z.number().int().min(0).max(10_000_000) }).strict();
const emptyBodySchema = z.object({}).strict();
const bookingBodySchema = eventBookingSettingsSchema.refine((body) => Object.keys(body).length > 0, 'give at least one of holdTtlSeconds, maxSeatsPerHold, maxSeatsPerFan');

export interface OrganizerRouteOptions {
  control: RoomControl;
  /** Verifies the session (signature, expiry, sign-out); the admission role holds no signing key. */
  sessions: SessionTokens;
  /** Decides who may manage which event: the owning organization's members, and admins. */
  eventOrganizers: EventOrganizers;
  /** Where the booking settings live (the booking key prefix) and the platform defaults; without it
   * PUT …/booking is not mounted. */
  bookingSettings?: { redis: RedisClient; keyPrefix: string; defaults: BookingDefaults };
}

/** 401 without a valid session (any other token, e.g. a pass, is refused by audience); 403 for a
 * signed-in user who neither belongs to the event's organization nor is an admin. */
function requireEventOrganizer({ sessions, eventOrganizers }: OrganizerRouteOptions): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = sessionTokenOf(req);
    if (token === undefined) return next(new UnauthorizedError('sign in as an organizer of this event (session cookie or Authorization: Bearer)'));
    try {
      const session = await sessions.verify(token);
      if (!(await eventOrganizers.mayManage(session.userId, eventIdParam(req)))) {
        return next(new ForbiddenError("only organizers of this event's organization or admins may do that"));
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function organizerRoutes(options: OrganizerRouteOptions): (app: Express) => void {
  const { control } = options;

  async function putRoom(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const settings = parseBody(roomSettingsSchema, req.body);
    const { config, created } = await control.configureRoom(eventId, settings);
    res.status(created ? 201 : 200).json({ eventId, ...config });
  }

  async function setRate(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const { admissionRatePerMinute } = parseBody(rateBodySchema, req.body);
    res.json({ eventId, ...(await control.setRate(eventId, admissionRatePerMinute)) });
  }

  /** 0 turns it off; fans already holding a place keep it, new joins pay from now on. */
  async function setProofOfWork(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const { proofOfWorkBits } = parseBody(proofOfWorkBodySchema, req.body);
    res.json({ eventId, ...(await control.setProofOfWork(eventId, proofOfWorkBits)) });
  }

  /** Fields left out keep their value; new holds pick the settings up, holds already requested keep theirs. */
  async function putBooking(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const { redis, keyPrefix, defaults } = options.bookingSettings!;
    const update = parseBody(bookingBodySchema, req.body);
    const merged = { ...(await readEventBookingSettings(redis, keyPrefix, eventId, defaults)), ...update };
    if (merged.maxSeatsPerHold > merged.maxSeatsPerFan) {
      throw new ValidationError('request body is invalid', [{ path: 'maxSeatsPerHold', message: 'may not exceed maxSeatsPerFan' }]);
    }
    await writeEventBookingSettings(redis, keyPrefix, eventId, update);
    const settings = await readEventBookingSettings(redis, keyPrefix, eventId, defaults);
    res.json({ eventId, holdTtlSeconds: Math.round(settings.holdTtlMs / 1000), maxSeatsPerHold: settings.maxSeatsPerHold, maxSeatsPerFan: settings.maxSeatsPerFan });
  }

  const action = (run: (eventId: string) => Promise<object>) => async (req: Request, res: Response) => {
    const eventId = eventIdParam(req);
    parseBody(emptyBodySchema, req.body);
    res.json({ eventId, ...(await run(eventId)) });
  };

  return (app) => {
    const router = express.Router();
    router.use('/api/organizer/events/:id', cookieParser(), requireEventOrganizer(options));
    router.put('/api/organizer/events/:id/room', putRoom);
    router.post('/api/organizer/events/:id/rate', setRate);
    router.post('/api/organizer/events/:id/proof-of-work', setProofOfWork);
    router.post('/api/organizer/events/:id/pause', action((eventId) => control.pause(eventId)));
    router.post('/api/organizer/events/:id/resume', action((eventId) => control.resume(eventId)));
    router.post('/api/organizer/events/:id/close', action((eventId) => control.close(eventId)));
    router.post('/api/organizer/events/:id/soldout', action((eventId) => control.markSoldOut(eventId)));
    router.post('/api/organizer/events/:id/open', action((eventId) => control.open(eventId)));
    if (options.bookingSettings) router.put('/api/organizer/events/:id/booking', putBooking);
    router.get('/api/organizer/events/:id/stats', async (req, res) => {
      res.json(await control.stats(eventIdParam(req)));
    });
    router.get('/api/organizer/events/:id/wait-estimates', async (req, res) => {
      res.json(await control.waitEstimates(eventIdParam(req)));
    });
    app.use(router);
    app.use(domainProblems);
  };
}
