// HTTP routes of the waiting-room role: join (idempotent, returns a queue token) and status (the same
// numbers the Socket.IO packets carry, for clients without WebSockets).
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { bearerToken } from '../lib/tokens/bearer-token.js';
import type { SigningKeys } from '../lib/tokens/signing-keys.js';
import { domainProblems, refusalError } from './domain-problems.js';
import { eventIdSchema } from './queue-keys.js';
import { createQueueTokenVerifier, signQueueToken, type QueueTokenClaims } from './queue-tokens.js';
import type { QueueStore } from './queue-store.js';
import type { RequestLimits } from './request-limits.js';
import { queuePosition } from './queue-position.js';
import { estimateAtJoin } from './wait-estimates.js';
import { isNewVisitor, visitorFanId, visitorIdentity } from './visitor-identity.js';
import { QueueTokenCache } from './queue-token-cache.js';
import { quietRequestLog } from '../lib/request-log.js';
import { fairnessRecordHandler, roomStateHandler } from './room-state-route.js';
import { optionalSession, readSession, type SessionTokens } from '../accounts/sessions.js';
import { waitingRoomMetrics } from './waiting-room-metrics.js';
import { ProofOfWork, ProofOfWorkError, proofOfWorkBodySchema, proofOfWorkKey, type IssuedChallenge } from './proof-of-work.js';
import type { RoomRecovery } from './room-recovery.js';
import type { FanStatus, JoinProof, JoinResult } from './queue-store.js';

export interface WaitingRoomRouteOptions {
  store: QueueStore;
  keys: SigningKeys;
  joinLimits: RequestLimits;
  visitorCookieSecret: string;
  secureCookies: boolean;
  clock: () => number;
  /** Verifies sign-in sessions (api-issued, same key ring): a signed-in fan is `u:<userId>`. */
  sessions?: SessionTokens;
  /** Tokens signed lately, handed out again on a repeat join (a fresh cache by default). */
  tokenCache?: QueueTokenCache;
  /** Issues and checks join challenges; by default keyed from the visitor cookie secret, which every
   * replica shares, so any replica verifies what another issued. */
  proofOfWork?: ProofOfWork;
  /** After a Redis loss: rebuilds the room from its checkpoint and fans' places from their tokens. */
  recovery?: RoomRecovery;
}

/** The fan behind a request: the signed-in user when there is a valid session, else the visitor. */
function requestFanId(res: Response): string {
  const session = optionalSession(res.locals);
  return session ? `u:${session.userId}` : visitorFanId(res);
}

// Join takes no input beyond the path and, when the room asks for it, a solved challenge; an
// unexpected body is refused rather than silently ignored.
const joinBodySchema = z.object({ proofOfWork: proofOfWorkBodySchema.optional() }).strict();

function challengeBody(eventId: string, issued: IssuedChallenge) {
  return { eventId, bits: issued.bits, challenge: issued.challenge, expiresAt: new Date(issued.expiresAtMs).toISOString() };
}

const proofOfWorkMessages = {
  proof_of_work_required: 'this event asks your browser for a proof of work before joining: solve the challenge and join again with it',
  proof_of_work_outdated: 'the organizer raised the proof-of-work difficulty: solve this new challenge',
} as const;

export function eventIdParam(req: Request): string {
  const parsed = eventIdSchema.safeParse(req.params['id']);
  // A malformed id cannot name an event, so it is as unknown as any other.
  if (!parsed.success) throw new NotFoundError('unknown event');
  return parsed.data;
}

export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    'request body is invalid',
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

export function waitingRoomRoutes(options: WaitingRoomRouteOptions): (app: Express) => void {
  const verifyQueueToken = createQueueTokenVerifier(options.keys);
  const metrics = waitingRoomMetrics();
  const tokenCache = options.tokenCache ?? new QueueTokenCache();
  const proofOfWork = options.proofOfWork ?? new ProofOfWork(proofOfWorkKey(options.visitorCookieSecret), options.clock);

  async function join(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const body = parseBody(joinBodySchema, req.body);
    const fanId = requestFanId(res);
    // A visitor minted by this request has spent nothing yet: only the per-IP budget is checked.
    await options.joinLimits.check(req.ip ?? 'unknown', fanId, optionalSession(res.locals) === undefined && isNewVisitor(res));
    // One HMAC and one SHA-256, and only when the fan sent a solution: a room without proof of work
    // pays nothing, and the join script (which reads the room's difficulty anyway) decides if one was needed.
    const proof = body.proofOfWork === undefined ? undefined : proofOfWork.verify(eventId, body.proofOfWork);
    const nowMs = options.clock();
    const result = await joinOrRecover(eventId, fanId, nowMs, await presentedToken(req, eventId, fanId, nowMs), proof);
    metrics.joins.inc({ outcome: result.status === 'refused' || result.status === 'proof_of_work' ? result.reason : result.status });
    if (result.status === 'refused') throw refusalError(result.reason, { eventId });
    if (result.status === 'proof_of_work') {
      if (result.reason === 'proof_of_work_replayed') throw new ProofOfWorkError('replayed', 'this challenge was already used to join; fetch a new one', { eventId });
      // The refusal carries a fresh challenge, so the page needs no extra round trip to get one.
      res.setHeader('cache-control', 'no-store');
      throw new ProofOfWorkError('required', proofOfWorkMessages[result.reason], challengeBody(eventId, proofOfWork.issue(eventId, result.requiredBits)));
    }
    const number = result.status === 'numbered' ? result.number : null;
    const prequeue = result.status === 'prequeue';
    // One signature per fan and place: a repeat join for the same place gets the same token back
    // (with the estimate of its first join: the one the organizer's dashboard compares).
    const estimatedWaitSeconds = result.status === 'numbered' ? estimateAtJoin(result.number, result.serving, result.admissionRatePerMinute) : null;
    const claims = { fanId, eventId, number, prequeue, ...(estimatedWaitSeconds === null ? {} : { estimatedWaitSeconds }) };
    let queueToken = tokenCache.reuse(claims, nowMs);
    if (queueToken === undefined) {
      queueToken = await signQueueToken(options.keys, claims, nowMs);
      tokenCache.remember(claims, queueToken, nowMs);
    }
    res.json({
      eventId,
      number,
      prequeue,
      ...(result.status === 'prequeue' ? { opensInMs: result.opensInMs } : {}),
      queueToken,
    });
  }

  /** A queue token sent with a join, when it is valid and this fan's: it may restore a lost place. */
  async function presentedToken(req: Request, eventId: string, fanId: string, nowMs: number): Promise<QueueTokenClaims | undefined> {
    const token = bearerToken(req);
    if (token === undefined || options.recovery === undefined) return undefined;
    const claims = await verifyQueueToken(token, eventId, nowMs).catch(() => undefined);
    return claims?.fanId === fanId ? claims : undefined;
  }

  async function numberedToken(claims: QueueTokenClaims, number: number, nowMs: number): Promise<string> {
    const numbered = { fanId: claims.fanId, eventId: claims.eventId, number, prequeue: false };
    let token = tokenCache.reuse(numbered, nowMs);
    if (token === undefined) {
      token = await signQueueToken(options.keys, numbered, nowMs);
      tokenCache.remember(numbered, token, nowMs);
    }
    return token;
  }

  async function joinOrRecover(eventId: string, fanId: string, nowMs: number, claims: QueueTokenClaims | undefined, proof: JoinProof | undefined): Promise<JoinResult> {
    const recovery = options.recovery;
    // The token's place first: a join must not hand a fan whose place Redis lost a new, later number.
    if (recovery && claims && (await recovery.restorePlace(claims)) === 'no-room' && (await recovery.ensureRoom(eventId))) await recovery.restorePlace(claims);
    const result = await options.store.join(eventId, fanId, nowMs, proof);
    if (result.status !== 'refused' || result.reason !== 'not_configured' || !recovery || !(await recovery.ensureRoom(eventId))) return result;
    return options.store.join(eventId, fanId, nowMs, proof);
  }

  async function statusOrRecover(eventId: string, fanId: string, claims: QueueTokenClaims | undefined): Promise<FanStatus> {
    const recovery = options.recovery;
    let fan = await options.store.status(eventId, fanId);
    if (!recovery) return fan;
    if (fan.state === null) {
      if (!(await recovery.ensureRoom(eventId))) return fan;
      fan = await options.store.status(eventId, fanId);
    }
    if (claims && fan.number === null && !fan.prequeued) {
      const outcome = await recovery.restorePlace(claims);
      if (outcome === 'restored' || outcome === 'prequeue') fan = await options.store.status(eventId, fanId);
    }
    return fan;
  }

  async function status(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const nowMs = options.clock();
    const token = bearerToken(req);
    // The token names the fan; without one, the visitor cookie does (same fan, same browser).
    const claims = token === undefined ? undefined : await verifyQueueToken(token, eventId, nowMs);
    const fanId = claims === undefined ? requestFanId(res) : claims.fanId;
    const fan = await statusOrRecover(eventId, fanId, claims);
    if (fan.state === null) throw new NotFoundError(`no waiting room for event ${eventId}`);
    // A pre-queue token carries no number; once the open numbered the fan, they get a token that
    // does, so a Redis loss after the open can still give them their place back (room-recovery.ts).
    const upgradedToken = claims !== undefined && claims.number === null && fan.number !== null ? await numberedToken(claims, fan.number, nowMs) : undefined;
    res.json({
      ...(upgradedToken === undefined ? {} : { queueToken: upgradedToken }),
      eventId,
      number: fan.number,
      prequeued: fan.prequeued,
      serving: fan.serving,
      issued: fan.issued,
      state: fan.state,
      admissionRatePerMinute: fan.admissionRatePerMinute,
      ...queuePosition(fan.number, fan.serving, fan.admissionRatePerMinute),
    });
  }

  /** A fresh challenge at the room's difficulty (bits 0 and no challenge when the room asks for none). */
  async function challenge(req: Request, res: Response): Promise<void> {
    const eventId = eventIdParam(req);
    const bits = await options.store.proofOfWorkBits(eventId);
    if (bits === null) throw new NotFoundError(`no waiting room for event ${eventId}`);
    res.setHeader('cache-control', 'no-store');
    res.json(bits === 0 ? { eventId, bits, challenge: null, expiresAt: null } : challengeBody(eventId, proofOfWork.issue(eventId, bits)));
  }

  return (app) => {
    const router = express.Router();
    // Stateless and per request (never cached); no cookie needed: a challenge names no fan.
    router.get('/api/events/:id/queue/challenge', quietRequestLog, challenge);
    // Before the visitor cookie: the public state sets no cookie, so every cache may keep it.
    router.get('/api/events/:id/queue/state', quietRequestLog, roomStateHandler(options.store, options.recovery));
    router.get('/api/events/:id/queue/fairness', fairnessRecordHandler(options.store));
    router.use('/api/events', visitorIdentity({ secret: options.visitorCookieSecret, secureCookies: options.secureCookies }));
    if (options.sessions) router.use('/api/events', readSession(options.sessions));
    // The storm's routes: answers are counted in the request metric, not logged one by one.
    router.post('/api/events/:id/queue', quietRequestLog, join);
    router.get('/api/events/:id/queue/status', quietRequestLog, status);
    app.use(router);
    app.use(domainProblems);
  };
}
