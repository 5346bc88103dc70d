import { describe, expect, it } from '@jest/globals';
import { createHmac, createSecretKey } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { cookieValue, verifiedVisitorId } from './visitor-identity.js';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const key = createSecretKey(Buffer.from(secret));
const visitorId = '0d9f1c52-8a4b-4c1e-9d3a-5b6f7e8a9b0c';

// cookie-signature's format (what cookie-parser signs and verifies): base64 HMAC-SHA256, no padding.
function hmacBase64(value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
}

/** A cookie value as res.cookie(…, { signed: true }) wrote it before this module did. */
function signedCookie(id: string): string {
  return encodeURIComponent(`s:${id}.${hmacBase64(id)}`);
}

describe('the visitor cookie', () => {
  it('reads the signed format cookie-parser wrote, and cookie-parser agrees on it', () => {
    const raw = signedCookie(visitorId);
    expect(verifiedVisitorId(key, raw)).toBe(visitorId);
    expect(cookieParser.signedCookie(decodeURIComponent(raw), secret)).toBe(visitorId);
  });

  it('refuses a forged, truncated or malformed cookie', () => {
    const otherId = visitorId.replace('0d9f', '1d9f');
    const forged = encodeURIComponent(`s:${otherId}.${hmacBase64(visitorId)}`);
    expect(verifiedVisitorId(key, forged)).toBeUndefined();
    expect(cookieParser.signedCookie(decodeURIComponent(forged), secret)).toBe(false);
    expect(verifiedVisitorId(key, signedCookie(visitorId).slice(0, -2))).toBeUndefined();
    expect(verifiedVisitorId(key, encodeURIComponent(`s:not-a-uuid.${hmacBase64('not-a-uuid')}`))).toBeUndefined();
    expect(verifiedVisitorId(key, visitorId)).toBeUndefined();
    expect(verifiedVisitorId(key, '%E0%A4%A')).toBeUndefined();
    expect(verifiedVisitorId(key, undefined)).toBeUndefined();
  });

  it('finds its cookie among others without parsing them', () => {
    expect(cookieValue('a=1; corral_vid=xyz; b=2', 'corral_vid')).toBe('xyz');
    expect(cookieValue('corral_vid=first', 'corral_vid')).toBe('first');
    expect(cookieValue('xcorral_vid=no; other=1', 'corral_vid')).toBeUndefined();
    expect(cookieValue(undefined, 'corral_vid')).toBeUndefined();
  });
});
