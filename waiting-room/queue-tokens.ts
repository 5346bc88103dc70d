// Queue tokens: what a fan shows to read its status and claim a pass. An ES256 JWT (audience
// "corral-queue") binding a fan to one event; it carries the number for the page, but Redis stays the
// source of truth, so a token minted before the open (prequeue) still claims the number given later.
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import { createTokenVerifier, signToken } from '../lib/tokens/signed-tokens.js';
import type { SigningKeys } from '../lib/tokens/signing-keys.js';
import { eventIdSchema, fanIdSchema } from './queue-keys.js';

export const QUEUE_TOKEN_AUDIENCE = 'corral-queue';
/** A fan who returns within a day with the token keeps their number (DESIGN §3, abandonment). */
export const QUEUE_TOKEN_TTL_SECONDS = 24 * 3600;

const queueClaimsSchema = z.object({
  sub: fanIdSchema,
  evt: eventIdSchema,
  num: z.number().int().min(1).optional(),
  pq: z.literal(true).optional(),
  /** The wait in seconds the page showed at join (wait-estimates.ts); absent for pre-queued fans. */
  est: z.number().int().min(0).optional(),
  iat: z.number().int().min(0),
});

export interface QueueTokenClaims {
  fanId: string;
  eventId: string;
  /** null while the fan waits in the prequeue. */
  number: number | null;
  prequeue: boolean;
  /** The wait (s) the page showed at join; recorded against the actual wait at the first pass claim. */
  estimatedWaitSeconds?: number;
}

export interface VerifiedQueueToken extends QueueTokenClaims {
  /** When the token was signed: the fan's join, to the second. */
  issuedAtMs: number;
}

export function signQueueToken(keys: SigningKeys, claims: QueueTokenClaims, nowMs: number): Promise<string> {
  return signToken(keys, {
    audience: QUEUE_TOKEN_AUDIENCE,
    subject: claims.fanId,
    claims: {
      evt: claims.eventId,
      ...(claims.number === null ? {} : { num: claims.number }),
      ...(claims.prequeue ? { pq: true } : {}),
      ...(claims.estimatedWaitSeconds === undefined ? {} : { est: claims.estimatedWaitSeconds }),
    },
    ttlSeconds: QUEUE_TOKEN_TTL_SECONDS,
    nowMs,
  });
}

export type QueueTokenVerifier = (token: string, expectedEventId: string, nowMs: number) => Promise<VerifiedQueueToken>;

/** Refuses (401) a forged, expired or malformed token, and a token for another event. */
export function createQueueTokenVerifier(keys: Pick<SigningKeys, 'jwks' | 'issuer'>): QueueTokenVerifier {
  const verify = createTokenVerifier(keys, QUEUE_TOKEN_AUDIENCE, queueClaimsSchema, 'invalid-queue-token');
  return async (token, expectedEventId, nowMs) => {
    const claims = await verify(token, nowMs);
    if (claims.evt !== expectedEventId) {
      throw new AppError(401, 'invalid-queue-token', `token refused: it is for event ${claims.evt}, not ${expectedEventId}`);
    }
    return {
      fanId: claims.sub,
      eventId: claims.evt,
      number: claims.num ?? null,
      prequeue: claims.pq === true,
      ...(claims.est === undefined ? {} : { estimatedWaitSeconds: claims.est }),
      issuedAtMs: claims.iat * 1_000,
    };
  };
}
