import { backoffDelayMs, withRetry } from './retry.js';

describe('withRetry', () => {
  const noSleep = async () => {};

  it('retries a retryable failure and returns the later success', async () => {
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('conflict');
        return 'done';
      },
      { attempts: 5, baseDelayMs: 10, maxDelayMs: 100, isRetryable: () => true, sleep: noSleep },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('stops after the bounded number of attempts and rethrows the last error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
      { attempts: 4, baseDelayMs: 10, maxDelayMs: 100, isRetryable: () => true, sleep: noSleep },
    );
    await expect(failing).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
  });

  it('never retries an error the caller calls final', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls += 1;
        throw new Error('seat taken');
      },
      { attempts: 4, baseDelayMs: 10, maxDelayMs: 100, isRetryable: () => false, sleep: noSleep },
    );
    await expect(failing).rejects.toThrow('seat taken');
    expect(calls).toBe(1);
  });

  it('keeps the jittered delay under the capped exponential ceiling', () => {
    expect(backoffDelayMs(1, { baseDelayMs: 20, maxDelayMs: 1000, random: () => 0.999 })).toBeLessThan(20);
    expect(backoffDelayMs(10, { baseDelayMs: 20, maxDelayMs: 1000, random: () => 0.999 })).toBeLessThan(1000);
    expect(backoffDelayMs(3, { baseDelayMs: 20, maxDelayMs: 1000, random: () => 0 })).toBe(0);
  });
});
