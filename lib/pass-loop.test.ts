import { logger } from './log.js';
import { runPassLoop } from './pass-loop.js';

describe('runPassLoop', () => {
  it('runs busy passes back to back, remembers a failure until a pass succeeds, and stop wakes a resting loop', async () => {
    let passes = 0;
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => (reachedGate = resolve));
    let rested!: () => void;
    const resting = new Promise<void>((resolve) => (rested = resolve));
    const loop = runPassLoop({
      name: 'test-loop',
      log: logger(),
      // Ten minutes: longer than the test may run, so only stop() can end the rest.
      idleMs: 600_000,
      baseBackoffMs: 1,
      maxBackoffMs: 2,
      pass: async () => {
        passes += 1;
        if (passes <= 2) return { idle: false };
        if (passes === 3) throw new Error('broker away');
        if (passes === 4) {
          reachedGate();
          await gate;
          return { idle: false };
        }
        rested();
        return { idle: true };
      },
    });
    await atGate;
    // Two busy passes ran back to back, the third failed, and the fourth has not finished yet.
    expect(loop.lastError()).toBe('broker away');
    releaseGate();
    await resting;
    expect(loop.lastError()).toBeUndefined();
    await loop.stop();
    expect(passes).toBe(5);
  });
});
