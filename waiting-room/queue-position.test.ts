import { describe, expect, it } from '@jest/globals';
import { queuePosition } from './queue-position.js';

describe('queuePosition', () => {
  it('a fan without a number has no position and no estimate', () => {
    expect(queuePosition(null, 10, 60)).toEqual({ position: null, admitted: false, estimatedWaitSeconds: null });
  });

  it('a served number is admitted with nothing to wait', () => {
    expect(queuePosition(10, 10, 60)).toEqual({ position: 0, admitted: true, estimatedWaitSeconds: 0 });
    expect(queuePosition(3, 10, 0)).toEqual({ position: 0, admitted: true, estimatedWaitSeconds: 0 });
  });

  it('the wait is the fans ahead at the admission rate, rounded up to a second', () => {
    expect(queuePosition(110, 10, 60)).toEqual({ position: 100, admitted: false, estimatedWaitSeconds: 100 });
    expect(queuePosition(11, 10, 7)).toEqual({ position: 1, admitted: false, estimatedWaitSeconds: 9 });
  });

  it('a paused rate of zero gives no estimate rather than infinity', () => {
    expect(queuePosition(20, 10, 0).estimatedWaitSeconds).toBeNull();
  });
});
