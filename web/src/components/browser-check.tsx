// Shown while the page solves the event's proof-of-work challenge before joining: a polite status
// for screen readers and a progress bar. The bar tracks tries against the average (2^bits), so it is
// capped short of full: a solve can take longer than the average.
import type { SolveProgress } from '../proof-of-work/solve';

export function BrowserCheck({ progress }: { progress: SolveProgress | undefined }) {
  if (progress === undefined) return null;
  const percent = Math.min(95, Math.round((progress.hashes / Math.max(1, progress.expectedHashes)) * 100));
  return (
    <div className="notice" data-testid="browser-check">
      <p role="status" aria-live="polite">
        Checking your browser… This event asks each browser for a moment of work before joining, which keeps ticket bots out.
      </p>
      <div className="progress" role="progressbar" aria-label="Browser check" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
