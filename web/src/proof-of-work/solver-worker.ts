// The Web Worker that solves a join challenge off the page's main thread, so the page stays
// responsive (and its progress readable) while the browser hashes.
import { solveChallenge } from './solve';

export interface SolveRequest {
  challenge: string;
  bits: number;
}

export type SolverMessage = { type: 'progress'; hashes: number; expectedHashes: number } | { type: 'solved'; solution: string; hashes: number } | { type: 'failed'; message: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<SolveRequest>) => void) | null; postMessage: (message: SolverMessage) => void };

let lastProgressAt = 0;
scope.onmessage = (event) => {
  const { challenge, bits } = event.data;
  solveChallenge(challenge, bits, {
    onProgress: (progress) => {
      // A few updates a second are plenty for a progress bar.
      if (Date.now() - lastProgressAt < 200) return;
      lastProgressAt = Date.now();
      scope.postMessage({ type: 'progress', ...progress });
    },
  }).then(
    (solved) => scope.postMessage({ type: 'solved', ...solved }),
    (error: unknown) => scope.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
};
