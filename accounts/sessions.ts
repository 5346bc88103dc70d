// Sign-in sessions: ES256 JWTs signed by the pass key ring but with their own audience
// (`corral-session`), so a session can never stand in for a pass or a queue token. Sign-out revokes
// the token's `jti` in Redis until the token would have expired anyway; verification checks it.
import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { bearerToken } from '../lib/tokens/bearer-token.js';
import { createTokenVerifier, signToken } from '../lib/tokens/signed-tokens.js';
import type { SigningKeys } from '../lib/tokens/signing-keys.js';
import { UnauthorizedError } from '../lib/errors.js';
import type { RedisClient } from '../lib/redis.js';
import type { Account, Role } from './accounts.js';

export const SESSION_AUDIENCE = 'corral-session';
export const SESSION_COOKIE = 'corral_session';
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

const sessionClaimsSchema = z.object({
  sub: z.string().min(1).max(64),
  jti: z.string().min(1).max(64),
  exp: z.number().int(),
  role: z.enum(['fan', 'organizer', 'admin']),
  email: z.string().max(320),
});

export interface Session {
  userId: string;
  email: string;
  role: Role;
  tokenId: string;
  expiresAtMs: number;
}

export interface SessionTokensOptions {
  /** Public keys every verifier has. */
  keys: Pick<SigningKeys, 'jwks' | 'issuer'>;
  /** The private ring: only the process that signs sessions in (api) needs it. */
  signer?: SigningKeys;
  redis: RedisClient;
  clock?: () => number;
  ttlSeconds?: number;
  keyPrefix?: string;
}

export class SessionTokens {
  private readonly verifyToken;
  private readonly clock: () => number;
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;

  constructor(private readonly options: SessionTokensOptions) {
    this.verifyToken = createTokenVerifier(options.keys, SESSION_AUDIENCE, sessionClaimsSchema, 'invalid-session');
    this.clock = options.clock ?? Date.now;
    this.ttlSeconds = options.ttlSeconds ?? SESSION_TTL_SECONDS;
    this.keyPrefix = options.keyPrefix ?? 'corral:';
  }

  private revokedKey(tokenId: string): string {
    return `${this.keyPrefix}{sessions}:revoked:${tokenId}`;
  }

  /** Signs a session for the account; only processes holding the private key (api) can. */
  async issue(account: Account): Promise<{ token: string; expiresAtMs: number }> {
    const { signer } = this.options;
    if (signer === undefined) throw new Error('this process holds no signing key');
    const nowMs = this.clock();
    const token = await signToken(signer, { audience: SESSION_AUDIENCE, subject: account.id, claims: { role: account.role, email: account.email, jti: randomUUID() }, ttlSeconds: this.ttlSeconds, nowMs });
    return { token, expiresAtMs: (Math.floor(nowMs / 1000) + this.ttlSeconds) * 1000 };
  }

  /** 401 (`invalid-session`) for a bad, expired or signed-out token. */
  async verify(token: string): Promise<Session> {
    const claims = await this.verifyToken(token, this.clock());
    if ((await this.options.redis.exists(this.revokedKey(claims.jti))) === 1) throw new UnauthorizedError('the session was signed out');
    return { userId: claims.sub, email: claims.email, role: claims.role, tokenId: claims.jti, expiresAtMs: claims.exp * 1000 };
  }

  /** Revokes until the token's own expiry; after that the signature check refuses it anyway. */
  async revoke(session: Session): Promise<void> {
    const ttlMs = Math.max(1, session.expiresAtMs - this.clock());
    await this.options.redis.set(this.revokedKey(session.tokenId), '1', 'PX', ttlMs);
  }
}

/** The session token of a request: `Authorization: Bearer`, else the httpOnly cookie. */
export function sessionTokenOf(req: Request): string | undefined {
  const bearer = bearerToken(req);
  if (bearer !== undefined) return bearer;
  const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? cookie : undefined;
}

/**
 * Reads the session when there is one into res.locals. A bad token is remembered, not answered:
 * public pages still work with a stale cookie, and requireSession reports why it was refused.
 */
export function readSession(sessions: SessionTokens): RequestHandler[] {
  const read: RequestHandler = async (req, res, next) => {
    const token = sessionTokenOf(req);
    if (token === undefined) return next();
    try {
      res.locals['session'] = await sessions.verify(token);
    } catch (error) {
      res.locals['sessionError'] = error;
    }
    next();
  };
  return [cookieParser(), read];
}

/** The session a request carries, if any (after readSession). */
export function optionalSession(locals: Record<string, unknown>): Session | undefined {
  return locals['session'] as Session | undefined;
}

/** The signed-in user of a request that went through readSession; 401 otherwise. */
export function requireSession(locals: Record<string, unknown>): Session {
  const session = optionalSession(locals);
  if (session !== undefined) return session;
  if (locals['sessionError'] instanceof Error) throw locals['sessionError'];
  throw new UnauthorizedError('sign in first (POST /api/sessions)');
}
