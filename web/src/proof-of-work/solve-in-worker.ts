// Runs the solver in a Web Worker (Vite bundles it from this URL); where workers are unavailable it
// solves on the page itself, slower to paint but still correct.
import { solveChallenge, type Solved, type SolveProgress } from './solve';
import type { SolverMessage } from './solver-worker';

export function solveInWorker(challenge: string, bits: number, onProgress?: (progress: SolveProgress) => void): Promise<Solved> {
  if (typeof Worker === 'undefined') return solveChallenge(challenge, bits, onProgress ? { onProgress } : {});
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./solver-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<SolverMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        onProgress?.({ hashes: message.hashes, expectedHashes: message.expectedHashes });
        return;
      }
      worker.terminate();
      if (message.type === 'solved') resolve({ solution: message.solution, hashes: message.hashes });
      else reject(new Error(`the browser check failed: ${message.message}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the browser check failed: ${event.message}`));
    };
    worker.postMessage({ challenge, bits });
  });
}
