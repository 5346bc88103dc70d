// Express middleware for booking endpoints: verifies the admission pass (Authorization: Bearer)
// locally against a cached JWKS, with no Redis round trip, and refuses a pass for another event,
// an expired one or a forged one with 401 problem JSON. The verified claims land in res.locals.pass.
import type { Request, RequestHandler, Response } from 'express';
import type { JSONWebKeySet } from 'jose';
import { UnauthorizedError } from '../lib/errors.js';
import { toHttpError } from '../waiting-room/domain-problems.js';
import { bearerToken } from '../lib/tokens/bearer-token.js';
import { createPassVerifier, type PassClaims } from '../lib/tokens/passes.js';

export interface PassMiddlewareOptions {
  /** The JWKS object (same process as the signer) or the admission role's JWKS URL. */
  jwks: JSONWebKeySet | URL;
  issuer: string;
  /** Which event the request is for; defaults to the `:id` route parameter. */
  eventIdOf?: (req: Request) => string | undefined;
  clock?: () => number;
}

export function requirePass(options: PassMiddlewareOptions): RequestHandler {
  const verify = createPassVerifier({ jwks: options.jwks, issuer: options.issuer, ...(options.clock ? { clock: options.clock } : {}) });
  const eventIdOf = options.eventIdOf ?? ((req: Request) => (typeof req.params['id'] === 'string' ? req.params['id'] : undefined));
  return async (req, res, next) => {
    const token = bearerToken(req);
    const eventId = eventIdOf(req);
    if (token === undefined) return next(new UnauthorizedError('an admission pass is required (Authorization: Bearer)'));
    if (eventId === undefined) return next(new UnauthorizedError('the request names no event for the pass'));
    try {
      res.locals['pass'] = await verify(token, eventId);
      next();
    } catch (error) {
      next(toHttpError(error));
    }
  };
}

/** The claims requirePass verified for this request. */
export function passOf(res: Response): PassClaims {
  const pass: unknown = res.locals['pass'];
  if (pass === undefined) throw new Error('requirePass middleware is not mounted');
  return pass as PassClaims;
}
