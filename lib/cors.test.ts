import type { IncomingMessage, ServerResponse } from 'node:http';
import { jest } from '@jest/globals';
import { corsForOrigin } from './cors.js';

function run(headers: Record<string, string>, method = 'GET') {
  const set = new Map<string, string>();
  const res = { statusCode: 200, setHeader: (name: string, value: string) => set.set(name.toLowerCase(), value), end: jest.fn() };
  const next = jest.fn();
  corsForOrigin('http://127.0.0.1:3000')({ method, headers } as unknown as IncomingMessage, res as unknown as ServerResponse, next);
  return { set, res, next };
}

describe('corsForOrigin', () => {
  it('allows the web origin with credentials and passes the request on', () => {
    const { set, next } = run({ origin: 'http://127.0.0.1:3000' });
    expect(set.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(set.get('access-control-allow-credentials')).toBe('true');
    expect(next).toHaveBeenCalled();
  });

  it('answers a preflight from the web origin itself', () => {
    const { set, res, next } = run({ origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(res.statusCode).toBe(204);
    expect(set.get('access-control-allow-headers')).toContain('Idempotency-Key');
    expect(res.end).toHaveBeenCalled();
    expect(next).not.toHaveBeenCalled();
  });

  it('gives any other origin no CORS headers', () => {
    const { set, next } = run({ origin: 'http://evil.example' });
    expect(set.has('access-control-allow-origin')).toBe(false);
    expect(set.get('vary')).toBe('Origin');
    expect(next).toHaveBeenCalled();
  });
});
