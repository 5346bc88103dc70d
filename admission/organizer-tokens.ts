// Organizer access until accounts land: an ES256 JWT (audience "corral-organizer", role "organizer")
// signed by the pass keys. Any organizer may manage any event for now; accounts will add ownership.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js';
import { bearerToken } from './bearer-token.js';
import { createTokenVerifier, signToken } from './signed-tokens.js';
import type { SigningKeys } from './signing-keys.js';

export const ORGANIZER_AUDIENCE = 'corral-organizer';
export const ORGANIZER_TOKEN_TTL_SECONDS = 12 * 3600;

const organizerClaimsSchema = z.object({ sub: z.string().min(1).max(128), role: z.string() });

export function signOrganizerToken(keys: SigningKeys, organizerId: string, nowMs: number, ttlSeconds = ORGANIZER_TOKEN_TTL_SECONDS): Promise<string> {
  return signToken(keys, { audience: ORGANIZER_AUDIENCE, subject: organizerId, claims: { role: 'organizer' }, ttlSeconds, nowMs });
}

/** 401 without a valid organizer token, 403 for a valid token without the organizer role. */
export function requireOrganizer(keys: Pick<SigningKeys, 'jwks' | 'issuer'>, clock: () => number): RequestHandler {
  const verify = createTokenVerifier(keys, ORGANIZER_AUDIENCE, organizerClaimsSchema, 'invalid-organizer-token');
  return async (req, res, next) => {
    const token = bearerToken(req);
    if (token === undefined) return next(new UnauthorizedError('an organizer token is required (Authorization: Bearer)'));
    try {
      const claims = await verify(token, clock());
      if (claims.role !== 'organizer') return next(new ForbiddenError('the token does not carry the organizer role'));
      res.locals['organizerId'] = claims.sub;
      next();
    } catch (error) {
      next(error);
    }
  };
}
