// The booking routes' view of an admission pass: who the fan is, for which event. Backed by the
// admission verifier (local JWKS, no Redis round trip); the Express pass middleware can replace it.
import type { Request } from 'express';
import type { JSONWebKeySet } from 'jose';
import { createPassVerifier } from '../lib/tokens/passes.js';
import { PassError } from '../lib/tokens/pass-error.js';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js';

export interface VerifiedPass {
  fanId: string;
  eventId: string;
  /** The pass's jti: the waiting-room session it opened, released when the fan has bought. */
  sessionId: string;
}

export type PassCheck = (token: string, eventId: string) => Promise<VerifiedPass>;

export function passCheckFromJwks(jwks: JSONWebKeySet | URL, issuer: string, clock?: () => number): PassCheck {
  const verify = createPassVerifier({ jwks, issuer, clock });
  return async (token, eventId) => {
    try {
      const claims = await verify(token, eventId);
      return { fanId: claims.sub, eventId: claims.evt, sessionId: claims.jti };
    } catch (error) {
      if (!(error instanceof PassError)) throw error;
      if (error.reason === 'wrong_event') throw new ForbiddenError(error.message);
      throw new UnauthorizedError(`admission pass refused: ${error.reason}`);
    }
  };
}

export function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
  if (!match) throw new UnauthorizedError('an admission pass is required (Authorization: Bearer <pass>)');
  return match[1]!;
}
