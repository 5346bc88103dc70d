// Fan-facing routes of the admission role: claim a pass with a queue token, the public JWKS, and
// releasing a shopping session (checkout done) with the pass that opened it.
import express, { type Express, type Request, type Response } from 'express';
import { UnauthorizedError } from '../lib/errors.js';
import { domainProblems, refusalError } from '../waiting-room/domain-problems.js';
import { eventIdParam } from '../waiting-room/join-routes.js';
import { createQueueTokenVerifier } from '../waiting-room/queue-tokens.js';
import type { QueueStore } from '../waiting-room/queue-store.js';
import type { RequestLimits } from '../waiting-room/request-limits.js';
import { waitingRoomMetrics } from '../waiting-room/waiting-room-metrics.js';
import { bearerToken } from '../lib/tokens/bearer-token.js';
import { quietRequestLog } from '../lib/request-log.js';
import { passOf, requirePass } from './pass-middleware.js';
import type { SigningKeys } from '../lib/tokens/signing-keys.js';
import type { RoomRecovery } from '../waiting-room/room-recovery.js';

/** What a pass lets its holder do; booking endpoints may check it. */
export const PASS_SCOPE = 'reserve';

export interface PassRouteOptions {
  store: QueueStore;
  keys: SigningKeys;
  passLimits: RequestLimits;
  clock: () => number;
  /** After a Redis loss: rebuilds the room and gives the token's fan their place back. */
  recovery?: RoomRecovery;
}

export function passRoutes(options: PassRouteOptions): (app: Express) => void {
  const verifyQueueToken = createQueueTokenVerifier(options.keys);
  const metrics = waitingRoomMetrics();

  async function claimPass(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const token = bearerToken(req);
    if (token === undefined) throw new UnauthorizedError('a queue token is required (Authorization: Bearer)');
    const nowMs = options.clock();
    const claims = await verifyQueueToken(token, eventId, nowMs);
    const { fanId, estimatedWaitSeconds, issuedAtMs } = claims;
    await options.passLimits.check(req.ip ?? 'unknown', fanId);
    const joined = estimatedWaitSeconds === undefined ? undefined : { joinedAtMs: issuedAtMs, estimatedWaitSeconds };
    let claim = await options.store.claimPass(eventId, fanId, nowMs, undefined, joined);
    // Not in the queue may mean Redis lost the room or the place: the signed token says where it was.
    if (claim.status === 'refused' && claim.reason === 'not_in_queue' && options.recovery && (await options.recovery.ensureRoom(eventId))) {
      if ((await options.recovery.restorePlace(claims)) === 'restored') claim = await options.store.claimPass(eventId, fanId, nowMs, undefined, joined);
    }
    metrics.passClaims.inc({ outcome: claim.status === 'admitted' ? 'admitted' : claim.reason });
    if (claim.status === 'refused') throw refusalError(claim.reason, { eventId, number: claim.number, serving: claim.serving });
    // The pass expires with the session it opened: both free the same capacity at the same moment.
    const ttlSeconds = Math.max(1, Math.ceil((claim.expiresAtMs - nowMs) / 1000));
    const pass = await options.keys.passRing.signPass({ fanId, eventId, ttlSeconds, scope: PASS_SCOPE, jti: claim.sessionId });
    res.json({
      eventId,
      number: claim.number,
      pass: pass.token,
      sessionId: claim.sessionId,
      expiresAt: new Date(pass.expiresAtMs).toISOString(),
      reused: claim.reused,
    });
  }

  async function releaseSession(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const sessionId = req.params['sessionId'];
    if (passOf(res).jti !== sessionId) throw new UnauthorizedError('the pass does not belong to this session');
    res.json({ eventId, sessionId, released: await options.store.releaseSession(eventId, String(sessionId)) });
  }

  return (app) => {
    const router = express.Router();
    router.get('/.well-known/jwks.json', (_req, res) => {
      // Short cache: verifiers refetch on an unknown kid anyway, so a rotation is seen quickly.
      res.set('Cache-Control', 'public, max-age=300').json(options.keys.jwks);
    });
    router.post('/api/events/:id/pass', quietRequestLog, claimPass);
    router.post(
      '/api/events/:id/sessions/:sessionId/release',
      requirePass({ jwks: options.keys.jwks, issuer: options.keys.issuer, clock: options.clock }),
      releaseSession,
    );
    app.use(router);
    app.use(domainProblems);
  };
}
