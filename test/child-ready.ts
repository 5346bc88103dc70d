// A forked process (a booking worker, an admission replica) tells its parent "ready" over IPC once
// it serves; this waits for that, or fails on an early exit or after `timeoutMs`.
import type { ChildProcess } from 'node:child_process';

export function childReady(child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not report ready within ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      // A worker process says 'ready'; main.ts says { ready: [{ role, url }] }.
      if (message === 'ready' || (typeof message === 'object' && message !== null && 'ready' in message)) resolve();
      else reject(new Error(`${what}: unexpected message ${String(message)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready`));
    });
  });
}
