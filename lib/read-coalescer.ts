// Coalesces concurrent reads of one key without serving anything older than the request: a caller
// that arrives while a read of its key runs does not join that read (it began before the caller
// asked, so it may miss a write the caller already saw), but waits for it to end and shares the
// next one with every other caller that arrived meanwhile. So a key has at most one read running
// and one waiting, however many callers ask at once, and each answer was read after its caller asked.
// With `minIntervalMs`, reads of one key also start at least that far apart: a storm of readers
// then costs at most one read per interval (each waits at most the interval longer), instead of
// reads back to back that take all the process's time.
export interface ReadCoalescerOptions {
  minIntervalMs?: number;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ReadCoalescer<V> {
  private readonly running = new Map<string, Promise<V>>();
  private readonly next = new Map<string, Promise<V>>();
  private readonly startedAt = new Map<string, number>();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ReadCoalescerOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? realSleep;
  }

  /** `read()` run for this key, shared as described above; a failed read fails every caller sharing it. */
  get(key: string, read: () => Promise<V>): Promise<V> {
    const waiting = this.next.get(key);
    if (waiting) return waiting;
    const current = this.running.get(key);
    const start = (): Promise<V> => {
      this.startedAt.set(key, this.now());
      const started = read().finally(() => {
        if (this.running.get(key) === started) this.running.delete(key);
      });
      this.running.set(key, started);
      return started;
    };
    const wait = this.waitMs(key);
    if (!current && wait <= 0) return start();
    const queued = (current ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        const left = this.waitMs(key);
        if (left > 0) await this.sleep(left);
        this.next.delete(key);
        return start();
      });
    this.next.set(key, queued);
    return queued;
  }

  private waitMs(key: string): number {
    const last = this.startedAt.get(key);
    if (last === undefined || this.minIntervalMs <= 0) return 0;
    const left = last + this.minIntervalMs - this.now();
    if (left <= 0 && !this.running.has(key)) this.startedAt.delete(key);
    return left;
  }
}
