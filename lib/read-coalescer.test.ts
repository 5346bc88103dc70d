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

describe('ReadCoalescer with a minimum interval', () => {
  it('starts reads of one key at least the interval apart, the waiting callers sharing one read', async () => {
    let clock = 1_000;
    const slept: number[] = [];
    const coalescer = new ReadCoalescer<number>({
      minIntervalMs: 200,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    const startedAt: number[] = [];
    const read = async () => {
      startedAt.push(clock);
      clock += 30;
      return startedAt.length;
    };
    expect(await coalescer.get('k', read)).toBe(1);
    const [second, third] = await Promise.all([coalescer.get('k', read), coalescer.get('k', read)]);
    expect([second, third]).toEqual([2, 2]);
    expect(slept).toEqual([170]);
    expect(startedAt).toEqual([1_000, 1_200]);
    // Another key is not held back, and once the interval has passed a read starts at once.
    expect(await coalescer.get('other', read)).toBe(3);
    clock += 500;
    expect(await coalescer.get('k', read)).toBe(4);
    expect(slept).toEqual([170]);
  });
});
