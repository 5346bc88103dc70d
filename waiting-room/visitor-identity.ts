// Who a fan is before accounts exist: an anonymous visitor id in an HMAC-signed, httpOnly cookie,
// handed out on the first request. A missing or tampered cookie just means a new visitor.
// The cookie keeps cookie-parser's signed format (`s:<id>.<base64 HMAC-SHA256>`), so cookies issued
// before stay valid, but only this one cookie is read and signed: the join storm's hottest path.
import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const VISITOR_COOKIE = 'corral_vid';
const VISITOR_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;
const visitorIdPattern = /^[0-9a-f-]{36}$/;

export interface VisitorIdentityOptions {
  secret: string;
  /** `Secure` cookies in production (HTTPS); local HTTP development needs them off. */
  secureCookies: boolean;
}

function signatureOf(key: KeyObject, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64').replace(/=+$/, '');
}

/** The raw value of one cookie in a Cookie header, without parsing the others. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let start = 0;
  while (start < header.length) {
    const end = header.indexOf(';', start);
    const pair = header.slice(start, end < 0 ? header.length : end).trim();
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}

/** The visitor id a signed cookie value carries, or undefined when it is missing, malformed or forged. */
export function verifiedVisitorId(key: KeyObject, rawCookie: string | undefined): string | undefined {
  if (rawCookie === undefined) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawCookie);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('s:')) return undefined;
  const dot = decoded.lastIndexOf('.');
  if (dot < 2) return undefined;
  const visitorId = decoded.slice(2, dot);
  if (!visitorIdPattern.test(visitorId)) return undefined;
  const given = Buffer.from(decoded.slice(dot + 1));
  const expected = Buffer.from(signatureOf(key, visitorId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? visitorId : undefined;
}

export function visitorIdentity(options: VisitorIdentityOptions): RequestHandler {
  const key = createSecretKey(Buffer.from(options.secret));
  const attributes = `; Max-Age=${VISITOR_COOKIE_MAX_AGE_SECONDS}; Path=/; HttpOnly; SameSite=Lax${options.secureCookies ? '; Secure' : ''}`;
  return (req, res, next) => {
    let visitorId = verifiedVisitorId(key, cookieValue(req.headers.cookie, VISITOR_COOKIE));
    if (visitorId === undefined) {
      visitorId = randomUUID();
      res.append('Set-Cookie', `${VISITOR_COOKIE}=${encodeURIComponent(`s:${visitorId}.${signatureOf(key, visitorId)}`)}${attributes}`);
      res.locals['newVisitor'] = true;
    }
    res.locals['visitorId'] = visitorId;
    next();
  };
}

/** The fan id of the request's visitor; `v:` keeps visitor ids apart from future user ids (`u:`). */
export function visitorFanId(res: Response): string {
  const visitorId: unknown = res.locals['visitorId'];
  if (typeof visitorId !== 'string') throw new Error('visitorIdentity middleware is not mounted');
  return `v:${visitorId}`;
}

/** True when this request's visitor id was minted by this very request (no cookie came with it). */
export function isNewVisitor(res: Response): boolean {
  return res.locals['newVisitor'] === true;
}
