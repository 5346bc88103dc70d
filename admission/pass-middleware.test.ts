import { describe, expect, it } from '@jest/globals';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../lib/errors.js';
import { passOf, requirePass } from './pass-middleware.js';
import { generatePassSigningKey, PassKeyRing } from '../lib/tokens/passes.js';

const ISSUER = 'https://corral.test';
const NOW_MS = 1_700_000_000_000;

function requestFor(eventId: string, token?: string): Request {
  return { params: { id: eventId }, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } } as unknown as Request;
}

/** Runs the middleware once; resolves with what it passed to next() and the response locals. */
async function run(middleware: ReturnType<typeof requirePass>, req: Request): Promise<{ error: unknown; res: Response }> {
  const res = { locals: {} } as Response;
  const error = await new Promise<unknown>((resolve) => {
    void middleware(req, res, ((error?: unknown) => resolve(error)) as NextFunction);
  });
  return { error, res };
}

describe('requirePass', () => {
  it('accepts a pass for the route event and exposes its claims; refuses other events, expiry and a missing pass with 401', async () => {
    const ring = new PassKeyRing({ current: await generatePassSigningKey('k1'), issuer: ISSUER, clock: () => NOW_MS });
    const { token } = await ring.signPass({ fanId: 'v:fan', eventId: 'event-a', ttlSeconds: 60, scope: 'reserve', jti: 'session-1' });
    let nowMs = NOW_MS;
    const middleware = requirePass({ jwks: ring.jwks(), issuer: ISSUER, clock: () => nowMs });

    const accepted = await run(middleware, requestFor('event-a', token));
    expect(accepted.error).toBeUndefined();
    expect(passOf(accepted.res)).toMatchObject({ sub: 'v:fan', evt: 'event-a', jti: 'session-1' });

    const refusals = [
      await run(middleware, requestFor('event-b', token)),
      await run(middleware, requestFor('event-a')),
      await run(middleware, requestFor('event-a', 'garbage')),
    ];
    nowMs += 61_000;
    refusals.push(await run(middleware, requestFor('event-a', token)));
    const codes = refusals.map(({ error }) => (error instanceof AppError ? `${error.status} ${error.code}` : String(error)));
    expect(codes).toEqual(['401 pass-wrong-event', '401 unauthorized', '401 pass-malformed', '401 pass-expired']);
  });

  it('an unreachable JWKS URL is our outage (503), not a bad pass (401)', async () => {
    const ring = new PassKeyRing({ current: await generatePassSigningKey('k1'), issuer: ISSUER, clock: () => NOW_MS });
    const { token } = await ring.signPass({ fanId: 'v:fan', eventId: 'event-a', ttlSeconds: 60, scope: 'reserve' });
    const middleware = requirePass({ jwks: new URL('http://127.0.0.1:1/.well-known/jwks.json'), issuer: ISSUER, clock: () => NOW_MS });
    const { error } = await run(middleware, requestFor('event-a', token));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(503);
  });
});
