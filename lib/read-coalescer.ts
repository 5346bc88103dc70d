// Coalesces concurrent reads of one key without serving anything older than the request: a caller
// that arrives while a read of its key runs does not join that read (it began before the caller
// asked, so it may miss a write the caller already saw), but waits for it to end and shares the
// next one with every other caller that arrived meanwhile. So a key has at most one read running
// and one waiting, however many callers ask at once, and each answer was read after its caller asked.
export class ReadCoalescer<V> {
  private readonly running = new Map<string, Promise<V>>();
  private readonly next = new Map<string, Promise<V>>();

  /** `read()` run for this key, shared as described above; a failed read fails every caller sharing it. */
  get(key: string, read: () => Promise<V>): Promise<V> {
    const waiting = this.next.get(key);
    if (waiting) return waiting;
    const current = this.running.get(key);
    const start = (): Promise<V> => {
      const started = read().finally(() => {
        if (this.running.get(key) === started) this.running.delete(key);
      });
      this.running.set(key, started);
      return started;
    };
    if (!current) return start();
    const queued = current
      .catch(() => undefined)
      .then(() => {
        this.next.delete(key);
        return start();
      });
    this.next.set(key, queued);
    return queued;
  }
}
