import { AppError, unreachableDependency } from './errors.js';

describe('unreachableDependency', () => {
  test('a refused, reset or timed-out socket is a 503 the caller may retry', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8010'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError' }),
      // Prisma's driver adapter and the mariadb pool wrap the socket error.
      new Error('pool timeout', { cause: Object.assign(new Error('retrieve connection from pool timeout'), { code: 'ER_GET_CONNECTION_TIMEOUT' }) }),
      Object.assign(new Error("Can't reach database server"), { code: 'P1001' }),
      // Prisma's driver adapter: the mariadb pool timed out because the server refused connections.
      Object.assign(new Error('Invalid `prisma.user.findUnique()` invocation: Database error. Code: `45028`'), {
        code: 'P2039',
        meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '45028', kind: 'mysql', cause: 'connect ECONNREFUSED 127.0.0.1:34365' } } },
      }),
      // The SDK's wrapper of a socket error it could not take as an Error (only the text survives).
      Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:45947'), { $metadata: { attempts: 3 } }),
    ]) {
      const mapped = unreachableDependency(error);
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped?.toProblem()).toMatchObject({ status: 503, type: 'https://corral.dev/problems/unavailable' });
    }
  });

  test('anything else is left alone', () => {
    expect(unreachableDependency(new Error('boom'))).toBeUndefined();
    expect(unreachableDependency(new Error('AWS SDK error wrapper for ValidationException'))).toBeUndefined();
    // A driver error that is not about reaching the server (a duplicate key) stays what it is.
    expect(unreachableDependency(Object.assign(new Error('Database error'), { code: 'P2039', meta: { driverAdapterError: { cause: { originalCode: '1062', cause: undefined } } } }))).toBeUndefined();
    expect(unreachableDependency(Object.assign(new Error('duplicate'), { code: 'P2002' }))).toBeUndefined();
    expect(unreachableDependency(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }))).toBeUndefined();
    expect(unreachableDependency('a string')).toBeUndefined();
  });
});
