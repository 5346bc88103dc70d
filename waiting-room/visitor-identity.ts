// Who a fan is before accounts exist: an anonymous visitor id in an HMAC-signed, httpOnly cookie,
// handed out on the first request. A missing or tampered cookie just means a new visitor.
import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import type { RequestHandler, Response } from 'express';

export const VISITOR_COOKIE = 'corral_vid';
const VISITOR_COOKIE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const visitorIdPattern = /^[0-9a-f-]{36}$/;

export interface VisitorIdentityOptions {
  secret: string;
  /** `Secure` cookies in production (HTTPS); local HTTP development needs them off. */
  secureCookies: boolean;
}

export function visitorIdentity(options: VisitorIdentityOptions): RequestHandler[] {
  const assignVisitor: RequestHandler = (req, res, next) => {
    const signed: unknown = (req.signedCookies as Record<string, unknown> | undefined)?.[VISITOR_COOKIE];
    let visitorId = typeof signed === 'string' && visitorIdPattern.test(signed) ? signed : undefined;
    if (visitorId === undefined) {
      visitorId = randomUUID();
      res.cookie(VISITOR_COOKIE, visitorId, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        path: '/',
        maxAge: VISITOR_COOKIE_MAX_AGE_MS,
      });
    }
    res.locals['visitorId'] = visitorId;
    next();
  };
  return [cookieParser(options.secret), assignVisitor];
}

/** The fan id of the request's visitor; `v:` keeps visitor ids apart from future user ids (`u:`). */
export function visitorFanId(res: Response): string {
  const visitorId: unknown = res.locals['visitorId'];
  if (typeof visitorId !== 'string') throw new Error('visitorIdentity middleware is not mounted');
  return `v:${visitorId}`;
}
