import { ReadCoalescer } from './read-coalescer.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ReadCoalescer', () => {
  it('gives callers that arrive during a read the next read, shared, never the one already running', async () => {
    const coalescer = new ReadCoalescer<string>();
    const reads = [deferred<string>(), deferred<string>()];
    let started = 0;
    const read = () => reads[started++]!.promise;
    const first = coalescer.get('k', read);
    const second = coalescer.get('k', read);
    const third = coalescer.get('k', read);
    expect(started).toBe(1);
    reads[0]!.resolve('before');
    expect(await first).toBe('before');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(2);
    reads[1]!.resolve('after');
    expect(await second).toBe('after');
    expect(await third).toBe('after');
  });

  it('keeps keys apart and starts afresh once a read has ended', async () => {
    const coalescer = new ReadCoalescer<number>();
    let reads = 0;
    const read = async () => (reads += 1);
    expect(await Promise.all([coalescer.get('a', read), coalescer.get('b', read)])).toEqual([1, 2]);
    expect(await coalescer.get('a', read)).toBe(3);
  });

  it('fails every caller sharing a failed read, and the next caller reads again', async () => {
    const coalescer = new ReadCoalescer<string>();
    const failing = deferred<string>();
    const first = coalescer.get('k', () => failing.promise);
    failing.reject(new Error('redis down'));
    await expect(first).rejects.toThrow('redis down');
    expect(await coalescer.get('k', async () => 'ok')).toBe('ok');
  });
});
